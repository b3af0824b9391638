terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = "gt-vision"
      Component = "aws-workers"
    }
  }
}

# AWS publishes billing metrics (AWS/Billing EstimatedCharges) only in us-east-1, whatever region the
# workers run in, so the billing alarm and its SNS topic use this aliased provider.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      Project   = "gt-vision"
      Component = "billing"
    }
  }
}

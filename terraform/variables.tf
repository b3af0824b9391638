variable "aws_region" {
  description = "Region of the worker pool and of the Rekognition endpoint it calls (us-east-1 is the cheapest for Rekognition)."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name, so that several GT-Vision environments can share one account."
  type        = string
  default     = "gtvision"
}

variable "vpc_id" {
  description = "VPC of the worker pool; it must route to the GT-Vision cluster members (Pekko remoting 7355, management 7626)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two availability zones) for the workers, the internal load balancer and the Rekognition endpoint."
  type        = list(string)
}

variable "cluster_cidr_blocks" {
  description = "CIDR blocks of the GT-Vision cluster (pod network or VPC) allowed to reach the workers' remoting, management and HTTP ports."
  type        = list(string)
}

variable "instance_type" {
  description = "EC2 instance type of an AWS worker (plan: c5.xlarge, 4 vCPU, 8 GiB)."
  type        = string
  default     = "c5.xlarge"
}

variable "ami_id" {
  description = "AMI of the workers. Empty: the latest Amazon Linux 2023 x86_64 AMI."
  type        = string
  default     = ""
}

variable "min_workers" {
  description = "Smallest number of AWS workers (plan: 2, one per availability zone for fallback capacity)."
  type        = number
  default     = 2
}

variable "max_workers" {
  description = "Largest number of AWS workers (plan: 10); also a hard cap on Rekognition spend."
  type        = number
  default     = 10
}

variable "scale_out_cpu_percent" {
  description = "Average CPU utilisation of the group above which one worker is added (plan: 70)."
  type        = number
  default     = 70
}

variable "scale_in_cpu_percent" {
  description = "Average CPU utilisation of the group below which one worker is removed (plan: 30)."
  type        = number
  default     = 30
}

variable "scaling_cooldown_seconds" {
  description = "Seconds after a scaling activity before the next one (plan: 300); leaves time to join the cluster or hand shards off."
  type        = number
  default     = 300
}

variable "image" {
  description = "GT-Vision container image, pullable without AWS credentials (the instance role allows Rekognition only), e.g. registry.example.com/gtvision:1.0.0."
  type        = string
}

variable "app_version" {
  description = "Pekko app-version of the workers (GTV_APP_VERSION): the image tag, raised with every rollout like the Kubernetes overlays."
  type        = string
}

variable "seed_nodes" {
  description = "Pekko seed-node addresses of the running GT-Vision cluster (pekko://<system>@<host>:7355) that the workers join; they run outside Kubernetes, so Kubernetes API discovery is not available to them."
  type        = list(string)
}

variable "worker_environment" {
  description = "Further GT-Vision settings for the workers (GTV_DB_URL, GTV_KAFKA_BOOTSTRAP, GTV_S3_BUCKET, ...), written to the container's environment file."
  type        = map(string)
  default     = {}
}

variable "http_port" {
  description = "GT-Vision HTTP port (GTV_HTTP_PORT): detection API behind the internal load balancer."
  type        = number
  default     = 8080
}

variable "management_port" {
  description = "Pekko Management port (GTV_MANAGEMENT_PORT): health checks /ready and /alive."
  type        = number
  default     = 7626
}

variable "remoting_port" {
  description = "Pekko Artery remoting port (GTV_CLUSTER_PORT)."
  type        = number
  default     = 7355
}

variable "monthly_budget_usd" {
  description = "Monthly AWS budget in USD; the billing alarm fires when the estimated charges pass billing_alarm_percent of it."
  type        = number
  default     = 5000
}

variable "billing_alarm_percent" {
  description = "Share of monthly_budget_usd (percent) at which the billing alarm fires."
  type        = number
  default     = 80
}

variable "alarm_email" {
  description = "E-mail address subscribed to the billing and scaling alarm topic. Empty: no subscription."
  type        = string
  default     = ""
}

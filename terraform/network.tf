data "aws_vpc" "this" {
  id = var.vpc_id
}

resource "aws_security_group" "worker" {
  name        = "${var.name_prefix}-aws-worker"
  description = "GT-Vision AWS workers: cluster traffic from the GT-Vision cluster, HTTP and health checks from the VPC"
  vpc_id      = var.vpc_id

  ingress {
    description = "Pekko Artery remoting from cluster members"
    from_port   = var.remoting_port
    to_port     = var.remoting_port
    protocol    = "tcp"
    cidr_blocks = var.cluster_cidr_blocks
  }

  ingress {
    description = "Pekko Management (bootstrap, health) from cluster members"
    from_port   = var.management_port
    to_port     = var.management_port
    protocol    = "tcp"
    cidr_blocks = var.cluster_cidr_blocks
  }

  # The NLB preserves client addresses and health-checks from its own addresses in the VPC.
  ingress {
    description = "Load balancer health checks on the management port"
    from_port   = var.management_port
    to_port     = var.management_port
    protocol    = "tcp"
    cidr_blocks = [data.aws_vpc.this.cidr_block]
  }

  ingress {
    description = "Detection HTTP API through the internal load balancer"
    from_port   = var.http_port
    to_port     = var.http_port
    protocol    = "tcp"
    cidr_blocks = concat([data.aws_vpc.this.cidr_block], var.cluster_cidr_blocks)
  }

  egress {
    description = "Rekognition endpoint, cluster members, database, Kafka, image registry"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "rekognition_endpoint" {
  name        = "${var.name_prefix}-rekognition-endpoint"
  description = "HTTPS from the GT-Vision AWS workers to the Rekognition interface endpoint"
  vpc_id      = var.vpc_id

  ingress {
    description     = "HTTPS from the workers"
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    security_groups = [aws_security_group.worker.id]
  }
}

# Rekognition traffic stays inside the VPC (plan: "VPC endpoint"). With private DNS the SDK's
# default endpoint name resolves to this endpoint, so the workers need no endpoint override.
resource "aws_vpc_endpoint" "rekognition" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.aws_region}.rekognition"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.private_subnet_ids
  security_group_ids  = [aws_security_group.rekognition_endpoint.id]
  private_dns_enabled = true

  tags = {
    Name = "${var.name_prefix}-rekognition"
  }
}

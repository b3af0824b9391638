# Internal network load balancer in front of the workers' detection HTTP API. Its health check asks
# Pekko Management's /ready: a worker only receives requests once it is an Up cluster member.

resource "aws_lb" "workers" {
  name               = "${var.name_prefix}-aws-workers"
  internal           = true
  load_balancer_type = "network"
  subnets            = var.private_subnet_ids
}

resource "aws_lb_target_group" "workers" {
  name        = "${var.name_prefix}-aws-workers"
  port        = var.http_port
  protocol    = "TCP"
  vpc_id      = var.vpc_id
  target_type = "instance"
  # Matches the Kubernetes grace period: a leaving worker finishes in-flight calls.
  deregistration_delay = 60

  health_check {
    protocol            = "HTTP"
    port                = var.management_port
    path                = "/ready"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "workers" {
  load_balancer_arn = aws_lb.workers.arn
  port              = var.http_port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.workers.arn
  }
}

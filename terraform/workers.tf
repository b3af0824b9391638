# The AWS worker pool: GT-Vision nodes with cluster role `aws` that call Rekognition. Each instance
# runs the same image as the Kubernetes pods and joins the running Pekko cluster through seed nodes.

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  worker_ami = var.ami_id != "" ? var.ami_id : data.aws_ssm_parameter.al2023.value
  # The application reads GTV_SEED_NODES as a comma-separated list of seed-node addresses.
  seed_nodes = join(",", var.seed_nodes)
}

resource "aws_launch_template" "worker" {
  name_prefix   = "${var.name_prefix}-aws-worker-"
  image_id      = local.worker_ami
  instance_type = var.instance_type

  iam_instance_profile {
    arn = aws_iam_instance_profile.worker.arn
  }

  vpc_security_group_ids = [aws_security_group.worker.id]

  # IMDSv2 only; hop limit 2 so the SDK inside the container reaches the instance credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  # One-minute CPU metrics: the scaling alarms evaluate 60 s periods.
  monitoring {
    enabled = true
  }

  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    image           = var.image
    app_version     = var.app_version
    aws_region      = var.aws_region
    http_port       = var.http_port
    management_port = var.management_port
    remoting_port   = var.remoting_port
    seed_nodes      = local.seed_nodes
    extra_env       = var.worker_environment
  }))

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "${var.name_prefix}-aws-worker"
    }
  }
}

resource "aws_autoscaling_group" "workers" {
  name                = "${var.name_prefix}-aws-workers"
  min_size            = var.min_workers
  max_size            = var.max_workers
  vpc_zone_identifier = var.private_subnet_ids
  target_group_arns   = [aws_lb_target_group.workers.arn]
  default_cooldown    = var.scaling_cooldown_seconds

  # A worker that is not /ready on the management port (not a cluster member) is replaced.
  health_check_type         = "ELB"
  health_check_grace_period = 300

  launch_template {
    id      = aws_launch_template.worker.id
    version = aws_launch_template.worker.latest_version
  }

  # A new app_version/image changes the launch template; the refresh then works like the Kubernetes
  # rolling update: launch a new worker, wait until healthy, then retire an old one.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
      instance_warmup        = 300
    }
  }

  tag {
    key                 = "Name"
    value               = "${var.name_prefix}-aws-worker"
    propagate_at_launch = true
  }

  # The scaling policies own the current size between min and max.
  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

# Simple scaling on the group's average CPU (plan: out above 70 %, in below 30 %, 300 s cooldown).
# One worker per step: each new worker has to join the cluster, each removed one hands work off.
resource "aws_autoscaling_policy" "scale_out" {
  name                   = "${var.name_prefix}-aws-workers-scale-out"
  autoscaling_group_name = aws_autoscaling_group.workers.name
  policy_type            = "SimpleScaling"
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = 1
  cooldown               = var.scaling_cooldown_seconds
}

resource "aws_autoscaling_policy" "scale_in" {
  name                   = "${var.name_prefix}-aws-workers-scale-in"
  autoscaling_group_name = aws_autoscaling_group.workers.name
  policy_type            = "SimpleScaling"
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = -1
  cooldown               = var.scaling_cooldown_seconds
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${var.name_prefix}-aws-workers-cpu-high"
  alarm_description   = "AWS workers above ${var.scale_out_cpu_percent} % CPU: add one worker."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.scale_out_cpu_percent
  alarm_actions       = [aws_autoscaling_policy.scale_out.arn]

  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.workers.name
  }
}

resource "aws_cloudwatch_metric_alarm" "cpu_low" {
  alarm_name        = "${var.name_prefix}-aws-workers-cpu-low"
  alarm_description = "AWS workers below ${var.scale_in_cpu_percent} % CPU: remove one worker."
  namespace         = "AWS/EC2"
  metric_name       = "CPUUtilization"
  statistic         = "Average"
  period            = 60
  # Scale in more reluctantly than out: ten quiet minutes.
  evaluation_periods  = 10
  comparison_operator = "LessThanThreshold"
  threshold           = var.scale_in_cpu_percent
  alarm_actions       = [aws_autoscaling_policy.scale_in.arn]

  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.workers.name
  }
}

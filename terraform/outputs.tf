output "worker_lb_dns_name" {
  description = "DNS name of the internal load balancer in front of the workers' detection API."
  value       = aws_lb.workers.dns_name
}

output "worker_asg_name" {
  description = "Name of the workers' Auto Scaling group."
  value       = aws_autoscaling_group.workers.name
}

output "worker_role_arn" {
  description = "ARN of the workers' IAM role (Rekognition DetectLabels and DetectText only)."
  value       = aws_iam_role.worker.arn
}

output "worker_security_group_id" {
  description = "Security group of the workers; allow it on the GT-Vision cluster's remoting and management ports."
  value       = aws_security_group.worker.id
}

output "rekognition_endpoint_id" {
  description = "ID of the Rekognition interface VPC endpoint."
  value       = aws_vpc_endpoint.rekognition.id
}

output "billing_alarm_topic_arn" {
  description = "SNS topic (us-east-1) that receives the billing alarm."
  value       = aws_sns_topic.billing_alarms.arn
}

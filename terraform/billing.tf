# Cost guard (plan: "Billing Alerts"): Rekognition costs ~$0.001 per image per API, so a runaway
# pool is expensive fast. Billing metrics exist only in us-east-1 and only after "Receive Billing
# Alerts" is switched on in the account's billing preferences.

resource "aws_sns_topic" "billing_alarms" {
  provider = aws.us_east_1
  name     = "${var.name_prefix}-billing-alarms"
}

resource "aws_sns_topic_subscription" "billing_email" {
  provider  = aws.us_east_1
  count     = var.alarm_email != "" ? 1 : 0
  topic_arn = aws_sns_topic.billing_alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "estimated_charges" {
  provider          = aws.us_east_1
  alarm_name        = "${var.name_prefix}-estimated-charges"
  alarm_description = "Estimated AWS charges this month passed ${var.billing_alarm_percent} % of ${var.monthly_budget_usd} USD."
  namespace         = "AWS/Billing"
  metric_name       = "EstimatedCharges"
  statistic         = "Maximum"
  # AWS updates the estimate a few times a day.
  period              = 21600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.monthly_budget_usd * var.billing_alarm_percent / 100
  alarm_actions       = [aws_sns_topic.billing_alarms.arn]

  dimensions = {
    Currency = "USD"
  }
}

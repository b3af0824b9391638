# Least privilege (plan): an AWS worker may call DetectLabels and DetectText, nothing else. Frames
# are sent as image bytes, so no S3 read permission is needed either. The container image therefore
# has to come from a registry that needs no AWS credentials (or be baked into ami_id).

data "aws_iam_policy_document" "worker_assume_role" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "${var.name_prefix}-aws-worker"
  description        = "GT-Vision AWS inference workers: Rekognition DetectLabels and DetectText only."
  assume_role_policy = data.aws_iam_policy_document.worker_assume_role.json
}

data "aws_iam_policy_document" "rekognition_detect" {
  statement {
    sid    = "RekognitionDetectOnly"
    effect = "Allow"
    actions = [
      "rekognition:DetectLabels",
      "rekognition:DetectText",
    ]
    # Both actions work on image bytes and have no resource-level permissions.
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "rekognition_detect" {
  name   = "rekognition-detect"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.rekognition_detect.json
}

resource "aws_iam_instance_profile" "worker" {
  name = "${var.name_prefix}-aws-worker"
  role = aws_iam_role.worker.name
}

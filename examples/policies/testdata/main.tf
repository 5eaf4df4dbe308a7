resource "aws_s3_bucket" "assets" {
  bucket = "example-assets"
  acl    = "public-read"
  tags = {
    owner = "web-team"
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "example-logs"
  acl    = "private"
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "sg-123"
}

# Provider and consumer: a PrivateLink service shared between two accounts.
# Run after: eval "$(privlink env)"   (the access key id picks the account)
set -euo pipefail
provider() { AWS_ACCESS_KEY_ID=111111111111 aws "$@"; }
consumer() { AWS_ACCESS_KEY_ID=222222222222 aws "$@"; }

# --- provider: a server instance behind a Network Load Balancer ---------------------
P_VPC=$(provider ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
P_SUB_A=$(provider ec2 create-subnet --vpc-id "$P_VPC" --cidr-block 10.0.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
P_SUB_B=$(provider ec2 create-subnet --vpc-id "$P_VPC" --cidr-block 10.0.2.0/24 \
  --availability-zone us-east-1b --query Subnet.SubnetId --output text)
P_SG=$(provider ec2 create-security-group --group-name web --description "web servers" \
  --vpc-id "$P_VPC" --query GroupId --output text)
provider ec2 authorize-security-group-ingress --group-id "$P_SG" \
  --protocol tcp --port 8080 --cidr 10.0.0.0/16 > /dev/null
WEB=$(provider ec2 run-instances --image-id ami-12345678 --count 1 --subnet-id "$P_SUB_A" \
  --security-group-ids "$P_SG" --user-data 'python3 -m http.server 8080' \
  --query 'Instances[0].InstanceId' --output text)
NLB=$(provider elbv2 create-load-balancer --name web --type network --scheme internal \
  --subnets "$P_SUB_A" "$P_SUB_B" --query 'LoadBalancers[0].LoadBalancerArn' --output text)
TG=$(provider elbv2 create-target-group --name web --protocol TCP --port 8080 \
  --vpc-id "$P_VPC" --query 'TargetGroups[0].TargetGroupArn' --output text)
provider elbv2 register-targets --target-group-arn "$TG" --targets Id="$WEB"
provider elbv2 create-listener --load-balancer-arn "$NLB" --protocol TCP --port 80 \
  --default-actions Type=forward,TargetGroupArn="$TG" > /dev/null

# --- provider: the endpoint service, who may use it, and who hears about it ------------
SERVICE_ID=$(provider ec2 create-vpc-endpoint-service-configuration \
  --network-load-balancer-arns "$NLB" --acceptance-required \
  --query ServiceConfiguration.ServiceId --output text)
SERVICE_NAME=$(provider ec2 describe-vpc-endpoint-service-configurations \
  --service-ids "$SERVICE_ID" --query 'ServiceConfigurations[0].ServiceName' --output text)
provider ec2 modify-vpc-endpoint-service-permissions --service-id "$SERVICE_ID" \
  --add-allowed-principals arn:aws:iam::222222222222:root > /dev/null
TOPIC=$(provider sns create-topic --name endpoint-events --query TopicArn --output text)
provider sns set-topic-attributes --topic-arn "$TOPIC" --attribute-name Policy \
  --attribute-value '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"Service":"vpce.amazonaws.com"},"Action":"SNS:Publish","Resource":"'"$TOPIC"'"}]}'
provider ec2 create-vpc-endpoint-connection-notification --service-id "$SERVICE_ID" \
  --connection-notification-arn "$TOPIC" \
  --connection-events Connect Accept Reject Delete > /dev/null

# --- consumer: an interface endpoint to the service ----------------------------------
C_VPC=$(consumer ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
consumer ec2 modify-vpc-attribute --vpc-id "$C_VPC" --enable-dns-hostnames '{"Value":true}'
C_SUB_A=$(consumer ec2 create-subnet --vpc-id "$C_VPC" --cidr-block 10.0.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
C_SUB_B=$(consumer ec2 create-subnet --vpc-id "$C_VPC" --cidr-block 10.0.2.0/24 \
  --availability-zone us-east-1b --query Subnet.SubnetId --output text)
consumer ec2 describe-vpc-endpoint-services --service-names "$SERVICE_NAME" \
  --query 'ServiceDetails[0].[ServiceName,AcceptanceRequired]' --output text
ENDPOINT=$(consumer ec2 create-vpc-endpoint --vpc-endpoint-type Interface \
  --vpc-id "$C_VPC" --service-name "$SERVICE_NAME" --subnet-ids "$C_SUB_A" "$C_SUB_B" \
  --query VpcEndpoint.VpcEndpointId --output text)
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
  --query 'VpcEndpoints[0].State' --output text            # pendingAcceptance

# --- provider: accept; the endpoint goes pending, then available -----------------------
provider ec2 describe-vpc-endpoint-connections \
  --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointState]' --output text
provider ec2 accept-vpc-endpoint-connections --service-id "$SERVICE_ID" \
  --vpc-endpoint-ids "$ENDPOINT" > /dev/null
for _ in $(seq 30); do
  STATE=$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
    --query 'VpcEndpoints[0].State' --output text)
  [ "$STATE" = available ] && break
  sleep 1
done
echo "endpoint $ENDPOINT is $STATE"
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
  --query 'VpcEndpoints[0].DnsEntries[].DnsName' --output text

# What the provider's topic received (Connect, then Accept):
curl -s "$AWS_ENDPOINT_URL/_privlink/sns/messages?topic=$TOPIC" \
  | python3 -c 'import json,sys; [print(json.loads(m["Message"])["eventType"]) for m in json.load(sys.stdin)]'

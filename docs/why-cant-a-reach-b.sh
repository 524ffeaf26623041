#!/usr/bin/env bash
# "Why can't A reach B?": the run behind docs/why-cant-a-reach-b.md, as it was made.
#
# Starts its own privlink (Linux data plane, a fresh state dir, its own port), builds a
# provider's NLB-backed endpoint service and a consumer whose interface endpoint's security
# group does not allow the service's port, then asks Reachability Analyzer, VPC Flow Logs
# and the AWS/PrivateLinkEndpoints metrics why the consumer's instance cannot connect,
# fixes the rule and asks again. Every step prints a "### ..." marker, so the transcript
# (stdout) lines up with the document. Stops privlink (by its PID) at the end.
#
# Run as root from the checkout, with an AWS CLI that reads AWS_ENDPOINT_URL as `aws`
# (v1 >= 1.29 or v2 >= 2.13), a CLI v2 for `aws logs tail` as $AWS_V2 (Debian's 2.9 by
# default: older, so it is given --endpoint-url) and chromium for the screenshot; hold the
# host's data-plane lock, one data plane per host:
#   flock /tmp/privlink-dataplane-tests.lock bash docs/why-cant-a-reach-b.sh [PORT] | tee why.log
# PRIVLINK_OBSERVE_SECONDS=5 makes privlink collect counters every 5 s instead of every
# minute, so flow log records and metrics arrive without waiting a minute each.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-4599}
URL=http://127.0.0.1:$PORT
STATE=$(mktemp -d /tmp/why-cant-a-reach-b.XXXXXX)
AWS_V2=${AWS_V2:-/usr/bin/aws}
privlink() { .venv/bin/privlink "$@"; }
step() { printf '\n### %s\n' "$*"; }
# Poll a command until it prints something other than nothing, None, 0 or curl's 000
# (at most $1 tries, a second apart); print that.
until_some() {
  local limit=$1 out
  shift
  for _ in $(seq "$limit"); do
    out=$("$@" 2> /dev/null || true)
    case "$out" in
      "" | None | 0 | 0.0 | 000) ;;
      *)
        printf '%s\n' "$out"
        return 0
        ;;
    esac
    sleep 1
  done
  echo "gave up after ${limit}s: $*" >&2
  return 1
}

export PRIVLINK_OBSERVE_SECONDS=5
# Started directly (not through the function) so that $! is privlink's own PID; SIGTERM
# (background jobs of a script ignore SIGINT) shuts it down as Ctrl-C does.
.venv/bin/privlink up --dataplane linux --port "$PORT" --https-port 0 --dns-port 0 \
  --state-dir "$STATE" --log-level warning > "$STATE/privlink.log" 2>&1 &
PRIVLINK_PID=$!
trap 'kill -TERM $PRIVLINK_PID; wait $PRIVLINK_PID || true' EXIT
for _ in $(seq 120); do curl -sf "$URL/_privlink/status" > /dev/null && break; sleep 0.5; done
eval "$(privlink env --url "$URL" --state-dir "$STATE")"
provider() { AWS_ACCESS_KEY_ID=111111111111 aws "$@"; }
consumer() { AWS_ACCESS_KEY_ID=222222222222 aws "$@"; }
consumer_v2() { AWS_ACCESS_KEY_ID=222222222222 "$AWS_V2" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }

step "provider: a web server behind a Network Load Balancer, shared as an endpoint service"
P_VPC=$(provider ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
P_SUB=$(provider ec2 create-subnet --vpc-id "$P_VPC" --cidr-block 10.0.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
P_SG=$(provider ec2 create-security-group --group-name web --description "web servers" \
  --vpc-id "$P_VPC" --query GroupId --output text)
provider ec2 authorize-security-group-ingress --group-id "$P_SG" \
  --protocol tcp --port 8080 --cidr 10.0.0.0/16 > /dev/null
WEB=$(provider ec2 run-instances --image-id ami-12345678 --count 1 --subnet-id "$P_SUB" \
  --security-group-ids "$P_SG" --user-data 'python3 -m http.server 8080' \
  --query 'Instances[0].InstanceId' --output text)
NLB=$(provider elbv2 create-load-balancer --name web --type network --scheme internal \
  --subnets "$P_SUB" --query 'LoadBalancers[0].LoadBalancerArn' --output text)
TG=$(provider elbv2 create-target-group --name web --protocol TCP --port 8080 \
  --vpc-id "$P_VPC" --health-check-interval-seconds 5 --health-check-timeout-seconds 2 \
  --healthy-threshold-count 2 \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
provider elbv2 register-targets --target-group-arn "$TG" --targets Id="$WEB"
provider elbv2 create-listener --load-balancer-arn "$NLB" --protocol TCP --port 80 \
  --default-actions Type=forward,TargetGroupArn="$TG" > /dev/null
SERVICE_ID=$(provider ec2 create-vpc-endpoint-service-configuration \
  --network-load-balancer-arns "$NLB" --no-acceptance-required \
  --query ServiceConfiguration.ServiceId --output text)
SERVICE_NAME=$(provider ec2 describe-vpc-endpoint-service-configurations \
  --service-ids "$SERVICE_ID" --query 'ServiceConfigurations[0].ServiceName' --output text)
provider ec2 modify-vpc-endpoint-service-permissions --service-id "$SERVICE_ID" \
  --add-allowed-principals arn:aws:iam::222222222222:root > /dev/null
echo "$SERVICE_NAME"

step "consumer: an instance, and an endpoint whose group allows 443 (the service is on 80)"
C_VPC=$(consumer ec2 create-vpc --cidr-block 10.1.0.0/16 --query Vpc.VpcId --output text)
consumer ec2 modify-vpc-attribute --vpc-id "$C_VPC" --enable-dns-hostnames '{"Value":true}'
C_SUB=$(consumer ec2 create-subnet --vpc-id "$C_VPC" --cidr-block 10.1.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
APP=$(consumer ec2 run-instances --image-id ami-12345678 --count 1 --subnet-id "$C_SUB" \
  --query 'Instances[0].InstanceId' --output text)
EP_SG=$(consumer ec2 create-security-group --group-name web-endpoint \
  --description "who may use the web endpoint" --vpc-id "$C_VPC" --query GroupId --output text)
consumer ec2 authorize-security-group-ingress --group-id "$EP_SG" \
  --protocol tcp --port 443 --cidr 10.1.0.0/16 > /dev/null
ENDPOINT=$(consumer ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$C_VPC" \
  --service-name "$SERVICE_NAME" --subnet-ids "$C_SUB" --security-group-ids "$EP_SG" \
  --query VpcEndpoint.VpcEndpointId --output text)
echo "instance $APP  endpoint $ENDPOINT  endpoint group $EP_SG"

step "consumer: a flow log for the VPC, to CloudWatch Logs"
ROLE=$(consumer iam create-role --role-name flow-logs --query Role.Arn --output text \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
consumer ec2 create-flow-logs --resource-type VPC --resource-ids "$C_VPC" \
  --traffic-type ALL --log-group-name web-flows --deliver-logs-permission-arn "$ROLE" \
  --max-aggregation-interval 60 --query FlowLogIds --output text

step "wait: endpoint available, instance running, target healthy"
until_some 60 consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
  --query 'VpcEndpoints[?State==`available`].State' --output text
until_some 60 consumer ec2 describe-instances --instance-ids "$APP" \
  --query 'Reservations[0].Instances[?State.Name==`running`].State.Name' --output text
until_some 90 provider elbv2 describe-target-health --target-group-arn "$TG" \
  --query 'TargetHealthDescriptions[?TargetHealth.State==`healthy`].TargetHealth.State' \
  --output text
DNS=$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
  --query 'VpcEndpoints[0].DnsEntries[0].DnsName' --output text)
echo "$DNS"

step "the symptom: the name resolves, the connection times out"
until_some 30 privlink exec "$APP" -- getent hosts "$DNS"
echo "\$ privlink exec $APP -- curl -sS --max-time 5 http://$DNS/"
privlink exec "$APP" -- curl -sS --max-time 5 "http://$DNS/" || echo "(exit status $?)"

step "Reachability Analyzer: instance -> endpoint, TCP 80"
PATH_ID=$(consumer ec2 create-network-insights-path --source "$APP" \
  --destination "$ENDPOINT" --protocol tcp --destination-port 80 \
  --query NetworkInsightsPath.NetworkInsightsPathId --output text)
ANALYSIS=$(consumer ec2 start-network-insights-analysis --network-insights-path-id "$PATH_ID" \
  --query NetworkInsightsAnalysis.NetworkInsightsAnalysisId --output text)
until_some 30 consumer ec2 describe-network-insights-analyses \
  --network-insights-analysis-ids "$ANALYSIS" \
  --query 'NetworkInsightsAnalyses[?Status!=`running`].Status' --output text
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS" \
  > "$STATE/blocked-analysis.json"
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS" \
  --query 'NetworkInsightsAnalyses[0].{Status: Status, NetworkPathFound: NetworkPathFound,
    Explanations: Explanations}'
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS" \
  --query 'NetworkInsightsAnalyses[0].ForwardPathComponents[].[SequenceNumber, Component.Id,
    AttachedTo.Id, SecurityGroupRule.Direction, SecurityGroupRule.PortRange.From]' \
  --output text
consumer ec2 describe-security-groups --group-ids "$EP_SG" \
  --query 'SecurityGroups[0].IpPermissions[].[IpProtocol,FromPort,ToPort,IpRanges[0].CidrIp]' \
  --output text

step "the topology page, with the blocked analysis drawn"
echo "$URL/_privlink/ui?analysis=$ANALYSIS"
mkdir -p docs/img
.venv/bin/python - "$URL/_privlink/ui?analysis=$ANALYSIS" docs/img/why-cant-a-reach-b.png <<'EOF'
import sys
from pathlib import Path

from tests.browser import Browser

browser = Browser()
try:
    browser.goto(sys.argv[1])
    browser.wait_for("document.querySelector('#analysis .verdict')?.textContent"
                     ".includes('ENI_SG_RULES_MISMATCH')")
    print(browser.evaluate("document.querySelector('#analysis .verdict').textContent"))
    print("screenshot:", browser.screenshot(Path(sys.argv[2])))
finally:
    browser.close()
EOF

step "VPC Flow Logs: REJECT records at the endpoint's interface"
ENI=$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT" \
  --query 'VpcEndpoints[0].NetworkInterfaceIds[0]' --output text)
echo "endpoint interface $ENI"
until_some 60 consumer logs filter-log-events --log-group-name web-flows \
  --log-stream-names "$ENI" --filter-pattern REJECT --query 'events[].[message]' --output text
consumer_v2 logs tail web-flows --since 10m

step "metrics: PacketsDropped in AWS/PrivateLinkEndpoints"
DIMS=(Name="Endpoint Type",Value=Interface Name="Service Name",Value="$SERVICE_NAME"
  Name="VPC Endpoint Id",Value="$ENDPOINT" Name="VPC Id",Value="$C_VPC")
metric() { # NAME: the Sum over the last 10 minutes, one-minute datapoints
  consumer cloudwatch get-metric-statistics --namespace AWS/PrivateLinkEndpoints \
    --metric-name "$1" --dimensions "${DIMS[@]}" --statistics Sum --period 60 \
    --start-time "$(date -u -d '-10 min' +%FT%TZ)" --end-time "$(date -u -d '+1 min' +%FT%TZ)" \
    --query 'sum(Datapoints[].Sum)'
}
until_some 60 metric PacketsDropped
consumer cloudwatch list-metrics --namespace AWS/PrivateLinkEndpoints \
  --metric-name PacketsDropped --query 'Metrics[].Dimensions[].[Name, Value]' --output text

step "the fix: allow TCP 80 from the VPC in the endpoint's group"
consumer ec2 authorize-security-group-ingress --group-id "$EP_SG" \
  --protocol tcp --port 80 --cidr 10.1.0.0/16 --query Return
echo "\$ privlink exec $APP -- curl -sS --max-time 5 -o /dev/null -w '%{http_code}\n' http://$DNS/"
until_some 30 privlink exec "$APP" -- curl -sS --max-time 5 -o /dev/null -w '%{http_code}\n' \
  "http://$DNS/"

step "Reachability Analyzer again: the same path"
ANALYSIS2=$(consumer ec2 start-network-insights-analysis --network-insights-path-id "$PATH_ID" \
  --query NetworkInsightsAnalysis.NetworkInsightsAnalysisId --output text)
until_some 30 consumer ec2 describe-network-insights-analyses \
  --network-insights-analysis-ids "$ANALYSIS2" \
  --query 'NetworkInsightsAnalyses[?Status!=`running`].Status' --output text
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS2" \
  > "$STATE/reachable-analysis.json"
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS2" \
  --query 'NetworkInsightsAnalyses[0].{Status: Status, NetworkPathFound: NetworkPathFound}'
consumer ec2 describe-network-insights-analyses --network-insights-analysis-ids "$ANALYSIS2" \
  --query 'NetworkInsightsAnalyses[0].ForwardPathComponents[].[SequenceNumber, Component.Id,
    AttachedTo.Id, SecurityGroupRule.Direction, SecurityGroupRule.PortRange.From]' \
  --output text

step "flow logs: ACCEPT records for the flow"
until_some 60 consumer logs filter-log-events --log-group-name web-flows \
  --log-stream-names "$ENI" --filter-pattern ACCEPT --query 'events[].[message]' --output text

step "metrics: NewConnections and BytesProcessed"
until_some 60 metric NewConnections
metric BytesProcessed
metric PacketsDropped

step "privlink status"
privlink status --url "$URL"
cp "$STATE"/*-analysis.json /tmp/ 2> /dev/null || true

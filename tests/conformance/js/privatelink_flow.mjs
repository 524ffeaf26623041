// A provider/consumer PrivateLink flow driven by the AWS SDK for JavaScript v3 against a
// live privlink: the SDK's own waiters, paginators, error classes and response metadata,
// none of which privlink's Python tests (boto3, the AWS CLI) exercise.
//
// usage: node privatelink_flow.mjs --endpoint URL [--region R]
//          [--provider-key KEY] [--consumer-key KEY] [--secret S]
// (or PRIVLINK_ENDPOINT, AWS_REGION, PROVIDER_ACCESS_KEY, CONSUMER_ACCESS_KEY, AWS_SECRET_ACCESS_KEY).
// privlink maps an access key made of 12 digits to that account id.
//
// Output: one JSON object a line, {"check": name, "ok": bool, "detail": ...}, then
// {"done": true}. Exit 0 when every check passed, 1 when one failed, 2 when the flow itself
// broke (an unexpected error; the last line then says where).
import { parseArgs } from "node:util";
import {
  EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand,
  CreateVpcEndpointServiceConfigurationCommand, ModifyVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointServicesCommand, CreateVpcEndpointCommand, DescribeVpcEndpointsCommand,
  DescribeVpcEndpointConnectionsCommand, AcceptVpcEndpointConnectionsCommand, DescribeVpcsCommand,
  DeleteVpcEndpointsCommand, DeleteVpcEndpointServiceConfigurationsCommand,
  DeleteSecurityGroupCommand, DeleteSubnetCommand, DeleteVpcCommand,
  waitUntilVpcAvailable, waitUntilSubnetAvailable, paginateDescribeVpcs, paginateDescribeVpcEndpoints,
} from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand,
  CreateListenerCommand, DescribeLoadBalancersCommand, DeleteListenerCommand,
  DeleteTargetGroupCommand, DeleteLoadBalancerCommand, LoadBalancerNotFoundException,
  waitUntilLoadBalancerAvailable, waitUntilLoadBalancersDeleted,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  SNSClient, CreateTopicCommand, GetTopicAttributesCommand, DeleteTopicCommand, NotFoundException,
} from "@aws-sdk/client-sns";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const { values: args } = parseArgs({
  options: {
    endpoint: { type: "string", default: process.env.PRIVLINK_ENDPOINT },
    region: { type: "string", default: process.env.AWS_REGION ?? "us-east-1" },
    "provider-key": { type: "string", default: process.env.PROVIDER_ACCESS_KEY },
    "consumer-key": { type: "string", default: process.env.CONSUMER_ACCESS_KEY },
    secret: { type: "string", default: process.env.AWS_SECRET_ACCESS_KEY ?? "test" },
  },
});
for (const name of ["endpoint", "provider-key", "consumer-key"]) {
  if (!args[name]) {
    console.error(`missing --${name}`);
    process.exit(2);
  }
}

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 2 };
const failures = [];
const requestIds = { seen: 0, missing: new Set() };

function report(check, ok, detail = null) {
  if (!ok) failures.push(check);
  console.log(JSON.stringify({ check, ok, detail }));
}

function clients(key) {
  const config = {
    endpoint: args.endpoint,
    region: args.region,
    credentials: { accessKeyId: key, secretAccessKey: args.secret },
    maxAttempts: 1,
    disableHostPrefix: true,
  };
  return {
    account: key,
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    sns: new SNSClient(config),
    sts: new STSClient(config),
  };
}

/** Send a command and note whether its answer carried a request id ($metadata.requestId,
 * which the SDK reads from the x-amzn-RequestId header). */
async function send(client, command) {
  const label = command.constructor.name.replace(/Command$/, "");
  try {
    const out = await client.send(command);
    noteRequestId(label, out.$metadata);
    return out;
  } catch (err) {
    noteRequestId(label, err.$metadata);
    throw err;
  }
}

function noteRequestId(label, metadata) {
  requestIds.seen += 1;
  if (!metadata?.requestId) requestIds.missing.add(label);
}

/** The error a call throws (null if it succeeded). */
async function failure(client, command) {
  try {
    await send(client, command);
    return null;
  } catch (err) {
    return err;
  }
}

async function until(what, probe, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.done) return last.value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last?.value)})`);
}

async function endpointState(consumer, id) {
  const out = await send(consumer.ec2, new DescribeVpcEndpointsCommand({
    Filters: [{ Name: "vpc-endpoint-id", Values: [id] }],
  }));
  return out.VpcEndpoints?.[0]?.State ?? null;
}

async function network(party, cidrPrefix, undo) {
  const vpc = (await send(party.ec2, new CreateVpcCommand({ CidrBlock: `${cidrPrefix}.0.0/16` }))).Vpc;
  undo.push(() => send(party.ec2, new DeleteVpcCommand({ VpcId: vpc.VpcId })));
  await waitUntilVpcAvailable({ client: party.ec2, ...WAIT }, { VpcIds: [vpc.VpcId] });
  const subnetIds = [];
  for (const [index, zone] of [`${args.region}a`, `${args.region}b`].entries()) {
    const subnet = (await send(party.ec2, new CreateSubnetCommand({
      VpcId: vpc.VpcId, CidrBlock: `${cidrPrefix}.${index + 1}.0/24`, AvailabilityZone: zone,
    }))).Subnet;
    undo.push(() => send(party.ec2, new DeleteSubnetCommand({ SubnetId: subnet.SubnetId })));
    subnetIds.push(subnet.SubnetId);
  }
  await waitUntilSubnetAvailable({ client: party.ec2, ...WAIT }, { SubnetIds: subnetIds });
  const group = await send(party.ec2, new CreateSecurityGroupCommand({
    GroupName: `conformance-${Date.now()}`, Description: "JS SDK conformance", VpcId: vpc.VpcId,
  }));
  undo.push(() => send(party.ec2, new DeleteSecurityGroupCommand({ GroupId: group.GroupId })));
  return { vpcId: vpc.VpcId, subnetIds, groupId: group.GroupId };
}

async function identities(provider, consumer) {
  for (const party of [provider, consumer]) {
    const who = await send(party.sts, new GetCallerIdentityCommand({}));
    report(`sts_identity_${party === provider ? "provider" : "consumer"}`,
      who.Account === party.account, { Account: who.Account, Arn: who.Arn });
  }
}

async function providerSide(provider, consumer, undo) {
  const net = await network(provider, "10.50", undo);
  report("waiters_vpc_and_subnet_available", true, { vpc: net.vpcId, subnets: net.subnetIds });
  const lb = (await send(provider.elbv2, new CreateLoadBalancerCommand({
    Name: `conf-${Date.now().toString(36)}`, Type: "network", Scheme: "internal", Subnets: net.subnetIds,
  }))).LoadBalancers[0];
  undo.push(async () => {
    await send(provider.elbv2, new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    await waitUntilLoadBalancersDeleted({ client: provider.elbv2, ...WAIT },
      { LoadBalancerArns: [lb.LoadBalancerArn] });
  });
  const ready = await waitUntilLoadBalancerAvailable({ client: provider.elbv2, ...WAIT },
    { LoadBalancerArns: [lb.LoadBalancerArn] });
  report("waiter_load_balancer_available", ready.state === "SUCCESS", { created: lb.State, waiter: ready.state });
  const tg = (await send(provider.elbv2, new CreateTargetGroupCommand({
    Name: `conf-tg-${Date.now().toString(36)}`, Protocol: "TCP", Port: 80, VpcId: net.vpcId, TargetType: "ip",
  }))).TargetGroups[0];
  undo.push(() => send(provider.elbv2, new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })));
  const listener = (await send(provider.elbv2, new CreateListenerCommand({
    LoadBalancerArn: lb.LoadBalancerArn, Protocol: "TCP", Port: 80,
    DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }],
  }))).Listeners[0];
  undo.push(() => send(provider.elbv2, new DeleteListenerCommand({ ListenerArn: listener.ListenerArn })));
  const service = (await send(provider.ec2, new CreateVpcEndpointServiceConfigurationCommand({
    NetworkLoadBalancerArns: [lb.LoadBalancerArn], AcceptanceRequired: true,
  }))).ServiceConfiguration;
  undo.push(() => send(provider.ec2, new DeleteVpcEndpointServiceConfigurationsCommand({
    ServiceIds: [service.ServiceId],
  })));
  await send(provider.ec2, new ModifyVpcEndpointServicePermissionsCommand({
    ServiceId: service.ServiceId, AddAllowedPrincipals: [`arn:aws:iam::${consumer.account}:root`],
  }));
  return { service, lb };
}

async function consumerSide(provider, consumer, service, undo) {
  const net = await network(consumer, "10.60", undo);
  const visible = await send(consumer.ec2, new DescribeVpcEndpointServicesCommand({
    ServiceNames: [service.ServiceName],
  }));
  report("consumer_sees_allowed_service",
    (visible.ServiceDetails ?? []).some((d) => d.ServiceName === service.ServiceName),
    { ServiceNames: visible.ServiceNames });
  const created = (await send(consumer.ec2, new CreateVpcEndpointCommand({
    VpcEndpointType: "Interface", VpcId: net.vpcId, ServiceName: service.ServiceName,
    SubnetIds: net.subnetIds, SecurityGroupIds: [net.groupId],
  }))).VpcEndpoint;
  undo.push(async () => {
    await send(consumer.ec2, new DeleteVpcEndpointsCommand({ VpcEndpointIds: [created.VpcEndpointId] }));
    await until("the endpoint to go", async () => {
      const state = await endpointState(consumer, created.VpcEndpointId);
      return { done: state === null || state === "deleted", value: state };
    });
  });
  const waiting = await until("pendingAcceptance", async () => {
    const state = await endpointState(consumer, created.VpcEndpointId);
    return { done: state !== "pending", value: state };
  });
  report("endpoint_pending_acceptance", waiting === "pendingAcceptance", { created: created.State, now: waiting });
  const connections = await send(provider.ec2, new DescribeVpcEndpointConnectionsCommand({
    Filters: [{ Name: "service-id", Values: [service.ServiceId] }],
  }));
  const mine = (connections.VpcEndpointConnections ?? []).find((c) => c.VpcEndpointId === created.VpcEndpointId);
  report("provider_sees_connection", mine?.VpcEndpointState === "pendingAcceptance" &&
    mine?.VpcEndpointOwner === consumer.account, mine ?? null);
  const accepted = await send(provider.ec2, new AcceptVpcEndpointConnectionsCommand({
    ServiceId: service.ServiceId, VpcEndpointIds: [created.VpcEndpointId],
  }));
  const available = await until("available", async () => {
    const state = await endpointState(consumer, created.VpcEndpointId);
    return { done: state === "available" || state === "failed", value: state };
  });
  report("provider_accepts_endpoint_available",
    (accepted.Unsuccessful ?? []).length === 0 && available === "available",
    { unsuccessful: accepted.Unsuccessful ?? [], state: available });
  return { endpointId: created.VpcEndpointId, vpcId: net.vpcId };
}

async function paginators(consumer, endpointId, consumerVpc, undo) {
  const extra = [];
  for (let i = 0; i < 5; i += 1) {
    const vpc = (await send(consumer.ec2, new CreateVpcCommand({ CidrBlock: `10.${70 + i}.0.0/16` }))).Vpc;
    undo.push(() => send(consumer.ec2, new DeleteVpcCommand({ VpcId: vpc.VpcId })));
    extra.push(vpc.VpcId);
  }
  const seen = [];
  let pages = 0;
  for await (const page of paginateDescribeVpcs({ client: consumer.ec2, pageSize: 5 }, {})) {
    pages += 1;
    seen.push(...(page.Vpcs ?? []).map((v) => v.VpcId));
    if (pages > 20) break;
  }
  const wanted = [consumerVpc, ...extra];
  report("paginate_describe_vpcs",
    pages >= 2 && wanted.every((id) => seen.includes(id)) && new Set(seen).size === seen.length,
    { pages, seen: seen.length, missing: wanted.filter((id) => !seen.includes(id)) });
  const endpoints = [];
  pages = 0;
  for await (const page of paginateDescribeVpcEndpoints({ client: consumer.ec2, pageSize: 5 }, {})) {
    pages += 1;
    endpoints.push(...(page.VpcEndpoints ?? []).map((e) => e.VpcEndpointId));
    if (pages > 20) break;
  }
  report("paginate_describe_vpc_endpoints", endpoints.includes(endpointId) && pages <= 20,
    { pages, endpoints });
}

async function typedErrors(provider, consumer, lbArn) {
  const missingVpc = await failure(consumer.ec2, new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] }));
  report("typed_error_vpc_not_found", missingVpc?.name === "InvalidVpcID.NotFound" &&
    missingVpc?.$metadata?.httpStatusCode === 400,
    { name: missingVpc?.name, status: missingVpc?.$metadata?.httpStatusCode, message: missingVpc?.message });
  const missingVpce = await failure(consumer.ec2, new DescribeVpcEndpointsCommand({
    VpcEndpointIds: ["vpce-0123456789abcdef0"],
  }));
  report("typed_error_vpc_endpoint_not_found", missingVpce?.name === "InvalidVpcEndpointId.NotFound",
    { name: missingVpce?.name, status: missingVpce?.$metadata?.httpStatusCode, message: missingVpce?.message });
  const missingLb = await failure(provider.elbv2, new DescribeLoadBalancersCommand({
    LoadBalancerArns: [lbArn.replace(/\/[0-9a-f]+$/, "/0123456789abcdef")],
  }));
  report("typed_error_load_balancer_not_found", missingLb instanceof LoadBalancerNotFoundException &&
    missingLb?.$metadata?.httpStatusCode === 400,
    { name: missingLb?.name, status: missingLb?.$metadata?.httpStatusCode, message: missingLb?.message });
  const topic = await send(provider.sns, new CreateTopicCommand({ Name: `conformance-${Date.now()}` }));
  const attributes = await send(provider.sns, new GetTopicAttributesCommand({ TopicArn: topic.TopicArn }));
  await send(provider.sns, new DeleteTopicCommand({ TopicArn: topic.TopicArn }));
  const missingTopic = await failure(provider.sns, new GetTopicAttributesCommand({ TopicArn: topic.TopicArn }));
  report("typed_error_sns_not_found", attributes.Attributes?.TopicArn === topic.TopicArn &&
    missingTopic instanceof NotFoundException && missingTopic?.$metadata?.httpStatusCode === 404,
    { name: missingTopic?.name, status: missingTopic?.$metadata?.httpStatusCode, message: missingTopic?.message });
}

async function cleanUp(undo) {
  const errors = [];
  for (const step of undo.reverse()) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await step();
        break;
      } catch (err) {
        // Deletes that depend on an earlier one finishing (a VPC after its endpoint's
        // interfaces) may answer DependencyViolation for a moment.
        if (err?.name === "DependencyViolation" && attempt < 40) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
        errors.push(`${err?.name}: ${err?.message}`);
        break;
      }
    }
  }
  return errors;
}

async function main() {
  const provider = clients(args["provider-key"]);
  const consumer = clients(args["consumer-key"]);
  const undo = [];
  let stage = "identities";
  try {
    await identities(provider, consumer);
    stage = "provider";
    const { service, lb } = await providerSide(provider, consumer, undo);
    stage = "consumer";
    const { endpointId, vpcId } = await consumerSide(provider, consumer, service, undo);
    stage = "paginators";
    await paginators(consumer, endpointId, vpcId, undo);
    stage = "errors";
    await typedErrors(provider, consumer, lb.LoadBalancerArn);
  } catch (err) {
    const errors = await cleanUp(undo);
    console.log(JSON.stringify({ broken: stage, name: err?.name, message: err?.message, cleanup: errors }));
    return 2;
  }
  stage = "cleanup";
  const errors = await cleanUp(undo);
  report("cleanup", errors.length === 0, errors);
  report("request_ids", requestIds.missing.size === 0,
    { responses: requestIds.seen, withoutRequestId: [...requestIds.missing].sort() });
  console.log(JSON.stringify({ done: true, failures }));
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();

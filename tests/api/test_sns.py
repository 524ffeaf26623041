"""SNS black-box through boto3, with a local HTTP server as the subscriber."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.harness import wait_until

WAIT = 10.0


def error(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return str(response["Error"]["Code"]), int(response["ResponseMetadata"]["HTTPStatusCode"])


def error_code(call: Callable[[], Any]) -> str:
    return error(call)[0]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def type(self) -> str:
        return self.headers.get("x-amz-sns-message-type", "")


class Subscriber:
    """An HTTP endpoint that records what SNS POSTs; `fail` queues error statuses to answer."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.fail: list[int] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    status = outer.fail.pop(0) if outer.fail else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/sns") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def of_type(self, kind: str, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.type == kind and path in (None, r.path)]

    def wait(
        self, kind: str, count: int = 1, path: str | None = None, timeout: float = WAIT
    ) -> list[Received]:
        """At least `count` requests of a message type (to `path`), polling up to `timeout`."""

        def enough() -> list[Received] | None:
            found = self.of_type(kind, path)
            return found if len(found) >= count else None

        return wait_until(enough, timeout, 0.05, f"{count} {kind} request(s)")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sns(server, account):
    return server.client("sns", account)


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    endpoint = Subscriber()
    yield endpoint
    endpoint.close()


@pytest.fixture
def topic(sns) -> str:
    return str(sns.create_topic(Name="events")["TopicArn"])


def inbox(server, topic_arn: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({"topic": topic_arn})
    with urllib.request.urlopen(f"{server.url}/_privlink/sns/messages?{query}", timeout=5) as r:
        return list(json.loads(r.read()))


def wait_inbox(server, topic_arn: str, done: Callable[[list[dict[str, Any]]], bool]) -> list:
    def there() -> list[dict[str, Any]] | None:
        messages = inbox(server, topic_arn)
        return messages if done(messages) else None

    return wait_until(there, WAIT, 0.05, f"the inbox of {topic_arn} to get there")


def subscribe_confirmed(sns, topic_arn: str, subscriber: Subscriber, path: str = "/sns") -> str:
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=subscriber.url(path))
    token = subscriber.wait("SubscriptionConfirmation", path=path)[-1].json["Token"]
    return str(sns.confirm_subscription(TopicArn=topic_arn, Token=token)["SubscriptionArn"])


def canonical(body: dict[str, Any]) -> bytes:
    """The string SNS signs (AWS's documented field lists)."""
    if body["Type"] == "Notification":
        fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{f}\n{body[f]}\n" for f in fields if f in body).encode()


def verify_signature(body: dict[str, Any]) -> None:
    with urllib.request.urlopen(body["SigningCertURL"], timeout=5) as r:
        certificate = x509.load_pem_x509_certificate(r.read())
    algorithm = hashes.SHA1() if body["SignatureVersion"] == "1" else hashes.SHA256()
    certificate.public_key().verify(  # type: ignore[union-attr, call-arg]
        base64.b64decode(body["Signature"]), canonical(body), padding.PKCS1v15(), algorithm
    )


# --- topics -------------------------------------------------------------------------------
def test_create_topic_is_idempotent_and_has_aws_attributes(sns, account):
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{account}:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["TopicArn"] == arn and attrs["Owner"] == account
    assert attrs["DisplayName"] == ""
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("0", "0")
    assert attrs["SubscriptionsDeleted"] == "0"
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
    policy = json.loads(attrs["Policy"])
    assert policy["Id"] == "__default_policy_ID"
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"AWS": "*"} and statement["Resource"] == arn
    assert "SNS:Publish" in statement["Action"] and "SNS:Subscribe" in statement["Action"]
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": account}}
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Orders"
    named = sns.create_topic(Name="shown", Attributes={"DisplayName": "Shown"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=named)["Attributes"]["DisplayName"] == "Shown"
    assert (
        error_code(lambda: sns.create_topic(Name="shown", Attributes={"DisplayName": "Other"}))
        == "InvalidParameter"
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda sns, t: sns.create_topic(Name="bad name"), ("InvalidParameter", 400)),
        (lambda sns, t: sns.create_topic(Name="x.fifo"), ("InvalidParameter", 400)),
        (lambda sns, t: sns.get_topic_attributes(TopicArn=t + "-gone"), ("NotFound", 404)),
        (lambda sns, t: sns.get_topic_attributes(TopicArn="arn:nope"), ("InvalidParameter", 400)),
        (
            lambda sns, t: sns.get_topic_attributes(TopicArn=t.replace("us-east-1", "eu-west-1")),
            ("InvalidParameter", 400),
        ),
        (
            lambda sns, t: sns.set_topic_attributes(
                TopicArn=t, AttributeName="Colour", AttributeValue="blue"
            ),
            ("InvalidParameter", 400),
        ),
        (
            lambda sns, t: sns.set_topic_attributes(
                TopicArn=t, AttributeName="Policy", AttributeValue="{not json"
            ),
            ("InvalidParameter", 400),
        ),
        (
            lambda sns, t: sns.set_topic_attributes(
                TopicArn=t, AttributeName="SignatureVersion", AttributeValue="3"
            ),
            ("InvalidParameter", 400),
        ),
    ],
)
def test_topic_errors(sns, topic, call, expected):
    assert error(lambda: call(sns, topic)) == expected


def test_list_topics_pages_by_100(sns):
    arns = [sns.create_topic(Name=f"t{i:03d}")["TopicArn"] for i in range(101)]
    first = sns.list_topics()
    assert [t["TopicArn"] for t in first["Topics"]] == arns[:100]
    second = sns.list_topics(NextToken=first["NextToken"])
    assert [t["TopicArn"] for t in second["Topics"]] == arns[100:]
    assert "NextToken" not in second
    assert error_code(lambda: sns.list_topics(NextToken="bogus")) == "InvalidParameter"


def test_delete_topic_takes_its_subscriptions(sns, topic, subscriber):
    subscribe_confirmed(sns, topic, subscriber)
    sns.delete_topic(TopicArn=topic)
    sns.delete_topic(TopicArn=topic)  # idempotent
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert error(lambda: sns.get_topic_attributes(TopicArn=topic)) == ("NotFound", 404)


# --- the confirmation handshake and delivery -----------------------------------------------
def test_confirm_with_the_api_then_receive_notifications(server, sns, topic, subscriber, account):
    pending = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url())
    assert pending["SubscriptionArn"] == "pending confirmation"
    [request] = subscriber.wait("SubscriptionConfirmation")
    assert request.path == "/sns"
    assert request.headers["x-amz-sns-topic-arn"] == topic
    assert request.headers["content-type"].startswith("text/plain")
    body = request.json
    assert list(body) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert body["MessageId"] == request.headers["x-amz-sns-message-id"]
    assert body["TopicArn"] == topic and body["SignatureVersion"] == "1"
    assert body["Message"].startswith(f"You have chosen to subscribe to the topic {topic}.")
    assert "Action=ConfirmSubscription" in body["SubscribeURL"]
    verify_signature(body)
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("0", "1")
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation"

    arn = sns.confirm_subscription(TopicArn=topic, Token=body["Token"])["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    assert sns.confirm_subscription(TopicArn=topic, Token=body["Token"])["SubscriptionArn"] == arn
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == [
        {
            "SubscriptionArn": arn,
            "Owner": account,
            "Protocol": "http",
            "Endpoint": subscriber.url(),
            "TopicArn": topic,
        }
    ]
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("1", "0")

    published = sns.publish(
        TopicArn=topic,
        Message="order 42 shipped",
        Subject="Shipping",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "shipment"},
            "count": {"DataType": "Number", "StringValue": "3"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    [note] = subscriber.wait("Notification")
    assert note.headers["x-amz-sns-message-id"] == published["MessageId"]
    assert note.headers["x-amz-sns-topic-arn"] == topic
    assert note.headers["x-amz-sns-subscription-arn"] == arn
    notification = note.json
    assert list(notification)[:10] == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ]
    assert (notification["Type"], notification["Message"], notification["Subject"]) == (
        "Notification",
        "order 42 shipped",
        "Shipping",
    )
    assert notification["MessageId"] == published["MessageId"]
    assert notification["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "shipment"},
        "count": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()},
    }
    assert "Action=Unsubscribe" in notification["UnsubscribeURL"]
    verify_signature(notification)


def test_confirm_by_getting_the_subscribe_url(sns, topic, subscriber):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url())
    [request] = subscriber.wait("SubscriptionConfirmation")
    # The endpoint owner just GETs the URL: no signature, no SDK.
    with urllib.request.urlopen(request.json["SubscribeURL"], timeout=5) as response:
        assert response.status == 200
        xml = response.read().decode()
    assert "<ConfirmSubscriptionResponse" in xml and f"<SubscriptionArn>{topic}:" in xml
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"].startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="hello")
    [note] = subscriber.wait("Notification")
    assert note.json["Message"] == "hello" and "Subject" not in note.json


def test_unconfirmed_subscribers_get_nothing(server, sns, topic, subscriber):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url("/unconfirmed"))
    confirmed = subscribe_confirmed(sns, topic, subscriber, path="/confirmed")
    sns.publish(TopicArn=topic, Message="only for the confirmed")
    [note] = subscriber.wait("Notification")
    assert note.path == "/confirmed"
    [message] = wait_inbox(
        server, topic, lambda m: m and m[0]["Deliveries"][0]["status"] == "delivered"
    )
    assert [d["SubscriptionArn"] for d in message["Deliveries"]] == [confirmed]
    assert [r.path for r in subscriber.of_type("Notification")] == ["/confirmed"]


def test_inbox_lists_published_messages(server, sns, topic, account):
    first = sns.publish(TopicArn=topic, Message="one", Subject="First")["MessageId"]
    second = sns.publish(
        TopicArn=topic,
        Message="two",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )["MessageId"]
    messages = inbox(server, topic)
    assert [m["MessageId"] for m in messages] == [first, second]
    assert messages[0]["Message"] == "one" and messages[0]["Subject"] == "First"
    assert messages[0]["TopicArn"] == topic and messages[0]["Publisher"] == account
    assert messages[0]["Deliveries"] == [] and messages[0]["Timestamp"].endswith("Z")
    assert messages[1]["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    for query, status in (("", 400), ("?topic=" + topic + "-gone", 404)):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{server.url}/_privlink/sns/messages{query}", timeout=5)
        assert info.value.code == status


def test_failed_delivery_is_retried(server, sns, topic, subscriber):
    subscribe_confirmed(sns, topic, subscriber)
    subscriber.fail = [503]  # the first notification attempt fails
    message_id = sns.publish(TopicArn=topic, Message="retry me")["MessageId"]
    attempts = subscriber.wait("Notification", count=2)
    assert [a.json["MessageId"] for a in attempts] == [message_id, message_id]
    [message] = wait_inbox(
        server, topic, lambda m: m and m[0]["Deliveries"][0]["status"] == "delivered"
    )
    assert message["Deliveries"][0]["attempts"] == 2


def test_client_errors_are_not_retried(server, sns, topic, subscriber):
    subscribe_confirmed(sns, topic, subscriber)
    subscriber.fail = [404]
    sns.publish(TopicArn=topic, Message="nobody home")
    [message] = wait_inbox(
        server, topic, lambda m: m and m[0]["Deliveries"][0]["status"] == "failed"
    )
    assert message["Deliveries"][0]["attempts"] == 1
    assert message["Deliveries"][0]["last_error"] == "HTTP 404"
    assert len(subscriber.of_type("Notification")) == 1


def test_message_structure_json_and_raw_delivery(sns, topic, subscriber):
    arn = subscribe_confirmed(sns, topic, subscriber)
    body = json.dumps({"default": "plain", "http": "for http"})
    sns.publish(TopicArn=topic, Message=body, MessageStructure="json")
    assert subscriber.wait("Notification")[0].json["Message"] == "for http"
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true"
    )
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attrs["RawMessageDelivery"] == "true" and attrs["PendingConfirmation"] == "false"
    assert attrs["TopicArn"] == topic and attrs["Endpoint"] == subscriber.url()
    sns.publish(TopicArn=topic, Message="raw body")
    raw = subscriber.wait("Notification", count=2)[1]
    assert raw.body == b"raw body" and raw.headers["x-amz-sns-rawdelivery"] == "true"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"Message": ""}, "InvalidParameter"),
        ({"Message": "x", "Subject": "s" * 101}, "InvalidParameter"),
        ({"Message": "x", "Subject": "two\nlines"}, "InvalidParameter"),
        ({"Message": "x" * (256 * 1024 + 1)}, "InvalidParameter"),
        ({"Message": "{}", "MessageStructure": "json"}, "InvalidParameter"),
        ({"Message": "not json", "MessageStructure": "json"}, "InvalidParameter"),
        ({"Message": "x", "PhoneNumber": "+15555550100"}, "InvalidParameter"),
        (
            {
                "Message": "x",
                "MessageAttributes": {
                    f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)
                },
            },
            "InvalidParameter",
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "x"}},
            },
            "ParameterValueInvalid",
        ),
        (
            {"Message": "x", "MessageAttributes": {"n": {"DataType": "Date", "StringValue": "x"}}},
            "ParameterValueInvalid",
        ),
    ],
)
def test_publish_errors(sns, topic, kwargs, expected):
    assert error_code(lambda: sns.publish(TopicArn=topic, **kwargs)) == expected


def test_publish_to_a_missing_topic(sns, topic):
    assert error(lambda: sns.publish(TopicArn=topic + "-gone", Message="x")) == ("NotFound", 404)
    assert error_code(lambda: sns.publish(TopicArn="arn:aws:sns:bad", Message="x")) == (
        "InvalidParameter"
    )


# --- subscriptions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("protocol", "endpoint"),
    [
        ("email", "someone@example.com"),
        ("carrier-pigeon", "coop"),
        ("http", "https://example.com/"),
        ("https", "not a url"),
    ],
)
def test_subscribe_errors(sns, topic, protocol, endpoint):
    assert (
        error_code(lambda: sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint))
        == "InvalidParameter"
    )


def test_subscribe_is_idempotent_and_tokens_are_checked(sns, topic, subscriber):
    first = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=subscriber.url(), ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    again = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=subscriber.url(), ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    assert again == first
    requests = subscriber.wait("SubscriptionConfirmation", count=2)  # AWS asks again
    assert requests[0].json["Token"] == requests[1].json["Token"]
    assert error_code(lambda: sns.confirm_subscription(TopicArn=topic, Token="00")) == (
        "InvalidParameter"
    )
    assert error(lambda: sns.confirm_subscription(TopicArn=topic + "-gone", Token="00")) == (
        "NotFound",
        404,
    )
    assert error(
        lambda: sns.subscribe(TopicArn=topic + "-gone", Protocol="http", Endpoint=subscriber.url())
    ) == ("NotFound", 404)


def test_unsubscribe(server, sns, topic, subscriber, account):
    mine = subscribe_confirmed(sns, topic, subscriber, path="/mine")
    theirs = subscribe_confirmed(sns, topic, subscriber, path="/theirs")
    listed = {s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]}
    assert listed == {mine, theirs}
    sns.unsubscribe(SubscriptionArn=mine)  # by its owner: no goodbye message
    sns.unsubscribe(SubscriptionArn=mine)  # already gone: idempotent, as on AWS
    assert error_code(lambda: sns.unsubscribe(SubscriptionArn="arn:nope")) == "InvalidParameter"
    # Following a notification's UnsubscribeURL is an unsigned GET by someone else.
    sns.publish(TopicArn=topic, Message="last one")
    [note] = subscriber.wait("Notification")
    assert note.path == "/theirs"
    with urllib.request.urlopen(note.json["UnsubscribeURL"], timeout=5) as response:
        assert response.status == 200
    [goodbye] = subscriber.wait("UnsubscribeConfirmation")
    assert goodbye.path == "/theirs"
    assert goodbye.headers["x-amz-sns-subscription-arn"] == theirs
    assert goodbye.json["Message"].startswith(
        f"You have chosen to deactivate subscription {theirs}"
    )
    verify_signature(goodbye.json)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    assert account  # subscriptions were the account's own


def test_other_accounts_need_the_topic_policy(server, sns, topic, subscriber):
    stranger = server.client("sns", "999999999999")
    assert error(lambda: stranger.publish(TopicArn=topic, Message="x")) == (
        "AuthorizationError",
        403,
    )
    assert error(
        lambda: stranger.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url())
    ) == ("AuthorizationError", 403)
    assert error_code(lambda: stranger.get_topic_attributes(TopicArn=topic)) == (
        "AuthorizationError"
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                "Action": ["sns:Publish"],
                "Resource": topic,
            }
        ],
    }
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    assert stranger.publish(TopicArn=topic, Message="allowed now")["MessageId"]
    assert (
        error_code(
            lambda: stranger.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url())
        )
        == "AuthorizationError"
    )
    assert [m["Publisher"] for m in inbox(server, topic)] == ["999999999999"]


def test_tags(sns, topic):
    tagged = sns.create_topic(Name="tagged", Tags=[{"Key": "env", "Value": "dev"}])["TopicArn"]
    assert sns.list_tags_for_resource(ResourceArn=tagged)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    sns.tag_resource(
        ResourceArn=topic, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    )
    sns.untag_resource(ResourceArn=topic, TagKeys=["a"])
    assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "b", "Value": "2"}]
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error_code(lambda: sns.tag_resource(ResourceArn=topic, Tags=many)) == "TagLimitExceeded"
    assert error(lambda: sns.list_tags_for_resource(ResourceArn=topic + "-gone")) == (
        "ResourceNotFound",
        404,
    )
    assert (
        error_code(lambda: sns.create_topic(Name="tagged", Tags=[{"Key": "env", "Value": "prod"}]))
        == "InvalidParameter"
    )


def test_a_missing_required_parameter_is_snss_invalid_parameter(server) -> None:  # type: ignore[no-untyped-def]
    """Unsubscribe with no SubscriptionArn at all (raw query: botocore would refuse to send it)."""
    import urllib.error
    import urllib.request
    from xml.etree import ElementTree

    request = urllib.request.Request(
        server.url, data=b"Action=Unsubscribe&Version=2010-03-31",
        headers={"content-type": "application/x-www-form-urlencoded",
                 "authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/"
                                  "sns/aws4_request, SignedHeaders=host, Signature=00"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    body = ElementTree.fromstring(refused.value.read())
    text = {e.tag.split("}")[-1]: e.text for e in body.iter()}
    assert refused.value.code == 400
    assert text["Code"] == "InvalidParameter"
    assert text["Message"] == (
        "Invalid parameter: SubscriptionArn Reason: no value for required parameter"
    )

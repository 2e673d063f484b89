"""A foreign AMQP client for mom/amqp's tests: pika sends one request with
a W3C traceparent header to the queue named by argv[1], waits for the reply
and prints its body and its traceparent header, one per line."""
import sys

import pika

queue, traceparent = sys.argv[1], sys.argv[2]
conn = pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/%2F"))
ch = conn.channel()
reply_queue = ch.queue_declare(queue="", exclusive=True, auto_delete=True).method.queue
ch.basic_publish(
    exchange="",
    routing_key=queue,
    body=b"hi",
    properties=pika.BasicProperties(reply_to=reply_queue, correlation_id="pika-1",
                                    headers={"traceparent": traceparent}),
)
for method, props, body in ch.consume(reply_queue, auto_ack=True, inactivity_timeout=20):
    if method is None:
        sys.exit("no reply within 20 s")
    print(body.decode())
    print((props.headers or {}).get("traceparent", ""))
    break
ch.cancel()
conn.close()

"""The hub's proxy: the Python configurable-http-proxy, with room for a whole class.

It forwards each request with tornado's HTTP client, which holds 10 requests at a time and
queues the rest. A browser waiting for its server holds one of them (the hub's progress
stream) until that server is up, so in a class of more than 10 logging in at once, the
learners whose servers were up waited on the others' streams. Here it holds 1000."""

from tornado.httpclient import AsyncHTTPClient

AT_ONCE = 1000


def main() -> None:
    """configurable-http-proxy's own command line, after the one change above."""
    from configurable_http_proxy.cli import main as proxy

    AsyncHTTPClient.configure(None, max_clients=AT_ONCE)
    proxy()


if __name__ == "__main__":
    main()

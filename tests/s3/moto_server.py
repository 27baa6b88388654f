"""An S3-compatible server for Paceline's file-storage tests: moto's, on a free loopback port.

Usage: moto_server.py BUCKET. Creates BUCKET, prints `listening PORT` and serves until its
standard input closes, so it ends with the test that started it, however that test ended.
Exits with 3 when moto is not installed (the test then skips or fails, as it is told).
"""

import sys

try:
    import boto3
    from moto.server import ThreadedMotoServer
except ImportError as missing:
    print(f"moto is not installed: {missing}", file=sys.stderr)
    sys.exit(3)


def main() -> None:
    bucket = sys.argv[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="paceline-test",
        aws_secret_access_key="paceline-test-secret",
    )
    client.create_bucket(Bucket=bucket)
    print(f"listening {port}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()

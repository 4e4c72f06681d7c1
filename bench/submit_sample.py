#!/usr/bin/python3
"""Submits the seed sample (code.py, stdin.txt in DIR), waits until its result is done and
prints the submission id: the finished result scripts/bench.sh reads with wrk.

    submit_sample.py URL DIR
"""
import json
import sys
import urllib.request


def request(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        return json.load(answer)


def main():
    url, sample = sys.argv[1], sys.argv[2]
    code = open(f"{sample}/code.py", encoding="utf-8").read()
    stdin = open(f"{sample}/stdin.txt", encoding="utf-8").read()
    expected = open(f"{sample}/stdout.txt", encoding="utf-8").read()
    submission = request(f"{url}/api/v1/submissions", {"language": "python", "code": code, "stdin": stdin})
    for _ in range(20):
        result = request(f"{url}/api/v1/submissions/{submission['id']}/result?wait_ms=30000")
        if result["status"] == "done":
            break
    if result.get("verdict") != "ok" or result.get("encoding") != "text" or result["stdout"] != expected:
        sys.exit(f"submit_sample: the sample's result is not right: {result.get('verdict')}")
    print(submission["id"])


main()

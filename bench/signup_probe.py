"""Server time of a sign-up, with an address that has an account and with a new one.

`python -m bench.signup_probe --requests N --runs R` posts the sign-up form through Django's
full handler, alternating taken and new addresses, each from its own client address so that
the per-address limits never step in, and each address once (a repeated one would meet
the limit on confirmation emails instead). Prints JSON: the times of every run, per path.
"""

import argparse
import json
import time

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.test import Client  # noqa: E402

from network.models import User  # noqa: E402

PASSWORD = "a-long-and-new-passphrase-7"


def _sign_up(email: str, number: int) -> float:
    client = Client(REMOTE_ADDR=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")
    form = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    began = time.perf_counter()
    response = client.post("/accounts/signup/", form)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"sign-up of {email} answered {response.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    total = args.requests * args.runs
    # The taken accounts only need to exist: one hash for all (the timed sign-ups hash their
    # own), rather than a second of hashing each before anything is measured.
    hashed = make_password(PASSWORD)
    for n in range(total):
        User(email=f"taken{n}@bench.invalid", password=hashed).save()  # signals, as create_user
    _sign_up("warm-up@bench.invalid", 0)
    runs = {"taken": [], "new": []}
    number = 1
    for run in range(args.runs):
        times = {"taken": [], "new": []}
        for n in range(run * args.requests, (run + 1) * args.requests):
            for path in ("taken", "new"):
                number += 1
                times[path].append(_sign_up(f"{path}{n}@bench.invalid", number))
        for path in runs:
            runs[path].append(times[path])
    print(json.dumps(runs))


if __name__ == "__main__":
    main()

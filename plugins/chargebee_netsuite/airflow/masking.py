"""Register credentials with Airflow's secrets masker so task logs show ``***`` instead."""

from __future__ import annotations

from airflow.sdk.log import mask_secret

# Base64 lines of a PEM body are 64 characters; shorter fragments (the last line) still carry
# key material, but anything under this length could collide with ordinary log text.
_MIN_PEM_LINE = 16


def mask_credential(value: str | None) -> None:
    """Mask ``value`` in every later log line of this process (and the task supervisor's).

    A PEM key is also masked line by line: a traceback or a debug dump may print one line
    of it, which the whole-key pattern would not match.
    """
    if not value:
        return
    mask_secret(value)
    if "-----BEGIN" in value:
        for line in value.replace("\\n", "\n").splitlines():
            line = line.strip()
            if len(line) >= _MIN_PEM_LINE and not line.startswith("-----"):
                mask_secret(line)

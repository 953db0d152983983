"""Runs the calling script inside its own virtualenv (target/peers-venv),
creating it and pip-installing benches/peers/requirements.txt first."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "peers-venv"
REQUIREMENTS = Path(__file__).with_name("requirements.txt")


def ensure():
    """Re-executes the running script with the virtualenv's python."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        print(f"creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("pip install -r benches/peers/requirements.txt", file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(REQUIREMENTS)],
            check=True,
        )
        stamp.write_text(wanted)
    os.execv(str(python), [str(python)] + sys.argv)

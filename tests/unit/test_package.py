import subprocess
import sys


def test_package_import_does_not_load_airflow():
    code = "import sys, paddleflow_provider; print('airflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

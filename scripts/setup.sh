#!/usr/bin/env bash
# Installs what titlecert needs on Debian/Ubuntu, then the Python packages into .venv.
# Idempotent: installs only what is missing; re-installs Python packages only when
# pyproject.toml or requirements.lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

missing=()
# Read the font list once; `fc-list | grep -q` would die of SIGPIPE under pipefail.
fonts=$(fc-list : family 2>/dev/null || true)
have_font() { grep -qiF "$1" <<<"$fonts"; }
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# Calc: the session workbook is tested round-tripped through it, as an office that fills the
# template in LibreOffice saves it (tests/integration/test_workbook_in_calc.py).
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || dpkg -s libreoffice-calc >/dev/null 2>&1 \
  || missing+=(libreoffice-calc-nogui)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
have_font "Noto Serif CJK SC" || missing+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf ] || missing+=(fonts-arphic-gbsn00lp)
have_font "AR PL UKai CN" || missing+=(fonts-arphic-ukai)
have_font "Liberation Serif" || missing+=(fonts-liberation2)
have_font "HanaMinB" || missing+=(fonts-hanazono)  # rare name characters (CJK Ext-B)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# Independent validators of issued files (tests, docs/independent-validators.md): poppler's pdfsig
# (poppler-utils, above) needs NSS's certutil to build a trust store; qpdf checks the PDF structure.
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
# The real-browser tests drive Debian's Chromium through Playwright (its own browser download is
# not reachable from every network).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# SoftHSM2 (PKCS#11 tests): the tool and its module, which sits in /usr/lib/softhsm/ or under the
# multiarch folder depending on the release; the softhsm2 package brings both (libsofthsm2).
softhsm_module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
                   /usr/lib64/softhsm/libsofthsm2.so 2>/dev/null | head -n1 || true)
{ command -v softhsm2-util >/dev/null 2>&1 && [ -n "$softhsm_module" ]; } || missing+=(softhsm2)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# The conversion pool's unoserver runs under Debian's own Python, the one python3-uno is built
# for (the python3 on PATH may be another, e.g. pyenv's), in a venv of its own (.venv-uno).
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing+=(python3-uno)
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)

if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt run (unattended upgrades, a second checkout's setup) rather than fail.
  apt_wait=(-o DPkg::Lock::Timeout=900)
  $sudo apt-get "${apt_wait[@]}" update -qq
  $sudo apt-get "${apt_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"titlecert needs Python 3.11 or newer; found {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.titlecert-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  say "installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c requirements.lock -e '.[test]'
  touch "$stamp"
fi
# unoserver (docgen.officepool): a venv on Debian's python3 that sees python3-uno through
# --system-site-packages; its command is linked into .venv/bin, where the pool looks for it.
unoserver_version=3.7
if ! .venv-uno/bin/unoserver --version 2>/dev/null | grep -qx "unoserver $unoserver_version"; then
  say "installing unoserver $unoserver_version into .venv-uno (Debian's python3 + python3-uno)"
  rm -rf .venv-uno
  /usr/bin/python3 -m venv --system-site-packages .venv-uno
  .venv-uno/bin/python -m pip install -q "unoserver==$unoserver_version"
fi
ln -sfn ../../.venv-uno/bin/unoserver .venv/bin/unoserver
# The public pages' English catalog: compiled from the committed .po every time (cheap), so a
# compiled catalog is never older than its source.
.venv/bin/pybabel -q compile -d verify/web/translations
say "ready: .venv/bin/titlecert"

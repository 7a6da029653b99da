# gan_tf: `make notebooks` runs every chapter notebook (quick profile), `make test` runs the
# test suite (smoke profile for notebooks). Both create .venv and install first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PROFILE ?= $(or $(GAN_TF_PROFILE),quick)
PYTEST_ARGS ?=
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: notebooks test lab install clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

notebooks: $(STAMP)
	GAN_TF_PROFILE=$(PROFILE) $(PY) scripts/run_notebooks.py --out outputs/notebooks

test: $(STAMP)
	$(PY) -m pytest tests $(PYTEST_ARGS)

lab: $(STAMP)
	@$(PY) -c "import jupyterlab" 2>/dev/null || $(PY) -m pip install --quiet jupyterlab
	$(PY) -m jupyter lab notebooks/

clean:
	rm -rf $(VENV) outputs .pytest_cache

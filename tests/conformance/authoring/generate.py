#!/usr/bin/env python3
"""Writes ../*.json. Expected values are written by hand in the suite modules (see common.py)."""
import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from suites_a import boolean_suite, numeric_suite, metered_suite, enum_suite
from suites_b import credit_suite, fallback_suite
from suites_c import period_suite, numbers_suite
from suites_d import v2_suite, state_v2_suite

for suite in (boolean_suite, numeric_suite, metered_suite, enum_suite, credit_suite, fallback_suite,
              period_suite, numbers_suite, v2_suite, state_v2_suite):
    suite()

"""Incentive pages: parse, check who may see what, call a service, render."""

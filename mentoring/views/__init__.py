"""Mentoring pages: parse, check who may see what, call a service, render. Work without JS."""

#!/usr/bin/env bash
# Stands in for the synack command in unit/manpage_check_fails: it lists a command and an option
# that synack(1) does not describe, so the man-page check must fail.
if [ "${1:-}" = --help ]; then
    printf 'usage: synack COMMAND [options]\n\ncommands:\n  demo     a command synack(1) has\n  nosuch   a command it has not\n'
else
    printf 'usage: synack %s [--not-in-the-man-page]\n' "$1"
fi

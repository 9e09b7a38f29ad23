#!/bin/sh
# An editor that fails.
exit 3

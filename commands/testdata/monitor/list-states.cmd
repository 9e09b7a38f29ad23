
suspend test; list --state-paused; list --state-other; list --state-running; destroy test; list --inactive --id; list --id --all; list --uuid --all; list --all --managed-save

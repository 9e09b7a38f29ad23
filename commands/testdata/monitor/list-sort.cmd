
define d_zed.xml; define d_Alpha.xml; define d_beta.xml; create d_Gamma.xml; start zed; list --all; list --all --name; list --inactive; list --all --table --title; list --state-running --name; destroy test; list --all --id; list --all --uuid --name; list --transient --all; list --state-shutoff

-o csv
define d_zed.xml; list --all

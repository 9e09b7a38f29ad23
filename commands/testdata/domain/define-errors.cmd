
define nofile.xml; define noType.xml; define; create nofile.xml

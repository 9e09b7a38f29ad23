-o json
define foo.xml; domstats


create foo.xml; list --all; dominfo foo; create --paused foo.xml

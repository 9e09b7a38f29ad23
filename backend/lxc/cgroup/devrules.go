package cgroup

import "errors"

// errFixedFilter: on cgroup v2 a group's device filter is the eBPF
// program attached when it was created.
var errFixedFilter = errors.New("the device filter of a cgroup v2 group is fixed when the group is created")

// AllowDevice lets the group's processes use a device too: rule is a v1
// rule ("b 7:0 rw"). Only v1 groups can be changed so.
func (g *Group) AllowDevice(rule string) error {
	return g.deviceRule("devices.allow", rule)
}

// DenyDevice takes back what AllowDevice gave.
func (g *Group) DenyDevice(rule string) error {
	return g.deviceRule("devices.deny", rule)
}

func (g *Group) deviceRule(file, rule string) error {
	if g.V2 {
		return errFixedFilter
	}
	if _, err := parseDeviceRule(rule); err != nil {
		return err
	}
	return write(g.dir("devices"), file, rule)
}

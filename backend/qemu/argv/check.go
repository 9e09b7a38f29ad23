package argv

import (
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// checkSupported refuses, naming them, the parts of a definition this
// driver does not implement, so that nothing the user wrote is ignored.
// Parts it implements are checked where they are built.
func checkSupported(dom *libvirtxml.Domain) error {
	present := map[string]bool{
		"maxMemory": dom.MaximumMemory != nil, "blkiotune": dom.BlockIOTune != nil,
		"memtune": dom.MemoryTune != nil, "memoryBacking": dom.MemoryBacking != nil,
		"vcpus": dom.VCPUs != nil, "iothreads": dom.IOThreads != 0 || dom.IOThreadIDs != nil,
		"defaultiothread": dom.DefaultIOThread != nil, "cputune": dom.CPUTune != nil,
		"numatune": dom.NUMATune != nil, "iommufd": dom.IOMMUFD != nil, "sysinfo": len(dom.SysInfo) > 0,
		"bootloader": dom.Bootloader != "", "idmap": dom.IDMap != nil, "throttlegroups": dom.ThrottleGroups != nil,
		"perf": dom.Perf != nil, "keywrap": dom.KeyWrap != nil, "launchSecurity": dom.LaunchSecurity != nil,
		"genid": dom.GenID != nil, "hwuuid": dom.HWUUID != "", "on_lockfailure": dom.OnLockFailure != "",
		"qemu:capabilities": dom.QEMUCapabilities != nil, "qemu:override": dom.QEMUOverride != nil,
		"qemu:deprecation": dom.QEMUDeprecation != nil,
		"resource":         dom.Resource != nil && (dom.Resource.Partition != "/machine" || dom.Resource.FibreChannel != nil),
	}
	if c := dom.CPU; c != nil {
		present["cpu/numa"] = c.Numa != nil
		present["cpu/cache"] = c.Cache != nil
		present["cpu/maxphysaddr"] = c.MaxPhysAddr != nil
	}
	for _, s := range dom.SecLabel {
		if s.Type != "none" {
			present["seclabel"] = true
		}
	}
	if os := dom.OS; os != nil {
		present["os/init"] = os.Init != "" || len(os.InitArgs) > 0
		present["os/smbios"] = os.SMBios != nil
		present["os/bios"] = os.BIOS != nil
		present["os/dtb"] = os.DTB != ""
		present["os/acpi"] = os.ACPI != nil
		present["os/shim"] = os.Shim != ""
		present["os/varstore"] = os.VarStore != nil
	}
	if f := dom.Features; f != nil {
		present["features/hap"] = f.HAP != nil
		present["features/viridian"] = f.Viridian != nil
		present["features/privnet"] = f.PrivNet != nil
		present["features/hyperv"] = f.HyperV != nil
		present["features/kvm"] = f.KVM != nil
		present["features/xen"] = f.Xen != nil
		present["features/pvspinlock"] = f.PVSpinlock != nil
		present["features/pmu"] = f.PMU != nil
		present["features/gic"] = f.GIC != nil
		present["features/ioapic"] = f.IOAPIC != nil
		present["features/hpt"] = f.HPT != nil
		present["features/capabilities"] = f.Capabilities != nil
		present["features/vmcoreinfo"] = f.VMCoreInfo != nil
		present["features/msrs"] = f.MSRS != nil
		present["features/tcg"] = f.TCG != nil
		present["features/async-teardown"] = f.AsyncTeardown != nil
		present["features/ras"] = f.RAS != nil
		present["features/ps2"] = f.PS2 != nil
		present["features/htm"] = f.HTM != nil
		present["features/nested-hv"] = f.NestedHV != nil
		present["features/ccf-assist"] = f.CCFAssist != nil
		present["features/cfpc"] = f.CFPC != nil
		present["features/sbbc"] = f.SBBC != nil
		present["features/ibs"] = f.IBS != nil
		present["features/aia"] = f.AIA != nil
		present["features/virtualization"] = f.Virtualization != nil
	}
	if d := dom.Devices; d != nil {
		for name, n := range map[string]int{
			"filesystem": len(d.Filesystems), "smartcard": len(d.Smartcards), "parallel": len(d.Parallels),
			"tpm": len(d.TPMs), "sound": len(d.Sounds), "audio": len(d.Audios), "hostdev": len(d.Hostdevs),
			"redirdev": len(d.RedirDevs), "redirfilter": len(d.RedirFilters), "hub": len(d.Hubs),
			"watchdog": len(d.Watchdogs), "shmem": len(d.Shmems), "memory": len(d.Memorydevs),
			"iommu": len(d.IOMMUs), "crypto": len(d.Crypto), "lease": len(d.Leases),
		} {
			present["devices/"+name] = n > 0
		}
		present["devices/nvram"] = d.NVRAM != nil
		present["devices/vsock"] = d.VSock != nil
		present["devices/pstore"] = d.PStore != nil
	}
	var bad []string
	for name, p := range present {
		if p {
			bad = append(bad, "<"+name+">")
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return unsupported("the QEMU driver does not implement %s; remove %s from the definition",
			strings.Join(bad, ", "), map[bool]string{true: "it", false: "them"}[len(bad) == 1])
	}
	return nil
}

// machineFeatures are -machine properties from <features> and <pm>.
func machineFeatures(dom *libvirtxml.Domain) []string {
	var opts []string
	if f := dom.Features; f != nil {
		if f.VMPort != nil && f.VMPort.State != "" {
			opts = append(opts, "vmport="+onOff(f.VMPort.State))
		}
		if f.SMM != nil && f.SMM.State != "" {
			opts = append(opts, "smm="+onOff(f.SMM.State))
		}
	}
	return opts
}

// pmGlobals turn <pm><suspend-to-mem/disk enabled='no'/> into the
// power-management device's properties.
func (b *builder) pmGlobals() error {
	pm := b.dom.PM
	if pm == nil {
		return nil
	}
	dev := "PIIX4_PM"
	if b.q35 {
		dev = "ICH9-LPC"
	}
	for i, s := range []*libvirtxml.DomainPMPolicy{pm.SuspendToMem, pm.SuspendToDisk} {
		state := []string{"3", "4"}[i]
		if s == nil || s.Enabled == "" {
			continue
		}
		v := "1"
		if s.Enabled == "yes" {
			v = "0"
		}
		b.add("-global", dev+".disable_s"+state+"="+v)
	}
	return nil
}

func onOff(state string) string {
	if state == "on" || state == "yes" {
		return "on"
	}
	return "off"
}

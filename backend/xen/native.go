package xen

import (
	"context"
	"errors"
	"strings"

	"github.com/virtsh/virtsh/backend"
	"github.com/virtsh/virtsh/backend/store"
	"github.com/virtsh/virtsh/backend/xen/xlconfig"
)

// nativeFormat is the configuration format of domxml-to-native and
// domxml-from-native on Xen (libvirt's XEN_CONFIG_FORMAT_XL).
const nativeFormat = "xen-xl"

func checkFormat(format string) error {
	if format != nativeFormat {
		return backend.InvalidArgument("unsupported config type %s", format)
	}
	return nil
}

// convError keeps the converter's message, with the error class libvirt
// gives it; the network driver's errors (resolving a network) pass as
// they are.
func convError(err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unsupported configuration: "); ok {
		return backend.ConfigUnsupported("%s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "XML error: "); ok {
		return backend.XMLError("%s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "internal error: "); ok {
		return backend.Internal("%s", rest)
	}
	return backend.Plain(backend.CodeInvalidArgument, "%s", msg)
}

// DomainXMLToNative converts domain XML to an xl configuration. It needs
// no Xen host.
func (c *Conn) DomainXMLToNative(_ context.Context, format, domainXML string) (string, error) {
	if err := checkFormat(format); err != nil {
		return "", err
	}
	d, err := parseDomain(domainXML)
	if err != nil {
		return "", err
	}
	cfg, err := xlconfig.ToXL(d, xlconfig.Options{NetworkBridge: c.convertedBridge})
	if err != nil {
		return "", convError(err)
	}
	return cfg.Format(), nil
}

// DomainXMLFromNative converts an xl configuration to domain XML.
func (c *Conn) DomainXMLFromNative(_ context.Context, format, config string) (string, error) {
	if err := checkFormat(format); err != nil {
		return "", err
	}
	cfg, err := xlconfig.Parse(config)
	if err != nil {
		return "", backend.Plain(backend.CodeInvalidArgument, "%v", err)
	}
	d, err := xlconfig.FromXL(cfg)
	if err != nil {
		return "", convError(err)
	}
	return store.MarshalDomain(d)
}

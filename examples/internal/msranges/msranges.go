// Package msranges loads Microsoft's endpoint list from a file for the relay and the milter: the
// ranges Exchange Online sends mail from (msendpoints), and a warning when the file is old.
package msranges

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/duration"
	"github.com/tenantgate/tenantgate/msendpoints"
)

// DefaultMaxAge is the age after which a list is reported stale: Microsoft publishes new
// addresses 30 days before it uses them
// (https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-ip-web-service), so a list
// older than that may lack addresses Exchange Online already sends from.
const DefaultMaxAge = 30 * 24 * time.Hour

// Loaded is a list read from a file.
type Loaded struct {
	Mail msendpoints.Mail
	// ModTime is the file's modification time, taken as the time it was downloaded.
	ModTime time.Time
	// Warnings name a stale file.
	Warnings []string
}

// Load reads the endpoint list at path for cloud (the configuration's exchangeOnline.cloud) and
// checks its age against maxAge (0: DefaultMaxAge) at now. A file that is not an endpoint list,
// has no mail set, or is of another cloud is an error; a stale one a warning.
func Load(path string, cloud tenantgate.Cloud, maxAge time.Duration, now time.Time) (*Loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, msendpoints.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sets, err := msendpoints.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, err := msendpoints.MailNetworks(sets)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !m.MatchesCloud(cloud) {
		if cloud == "" {
			cloud = tenantgate.CloudWorldwide
		}
		return nil, fmt.Errorf("%s: its mail endpoint sets %v name %v, not the %s cloud's hosts: download the list of the cloud configured in exchangeOnline.cloud", path, m.SetIDs, m.URLs, cloud)
	}
	if maxAge < 0 {
		return nil, errors.New("maximum age: negative")
	}
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	l := &Loaded{Mail: m, ModTime: st.ModTime()}
	if age := now.Sub(l.ModTime); age > maxAge {
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s is %s old, older than %s: Microsoft changes the ranges monthly, and mail from an address the file lacks is refused; download a current list", path, age.Round(time.Hour), maxAge))
	}
	return l, nil
}

// Apply loads the list at path into cfg's exchangeOnline.networks. A configuration that also
// lists networks is an error: two sources for one list would leave it unclear which applies.
func Apply(cfg *tenantgate.Config, path string, maxAge time.Duration, now time.Time) ([]string, error) {
	if cfg.Gateway.ExchangeOnline.Networks != nil {
		return nil, errors.New("gateway.exchangeOnline.networks is set in the configuration: give it or exchangeOnlineNetworksFile, not both")
	}
	cloud, err := tenantgate.ParseCloud(string(cfg.Gateway.ExchangeOnline.Cloud))
	if err != nil {
		return nil, fmt.Errorf("gateway.exchangeOnline.cloud: %w", err)
	}
	l, err := Load(path, cloud, maxAge, now)
	if err != nil {
		return nil, err
	}
	cfg.Gateway.ExchangeOnline.Networks = l.Mail.Networks
	return l.Warnings, nil
}

// FileOptions are the top-level fields of the relay's and the milter's configuration files that
// name an endpoint list.
type FileOptions struct {
	// ExchangeOnlineNetworksFile is a file saved from Microsoft's endpoints web method for the
	// configuration's cloud (relative to the configuration file). Its mail endpoint set becomes
	// gateway.exchangeOnline.networks, which the configuration must then leave out.
	ExchangeOnlineNetworksFile string `json:"exchangeOnlineNetworksFile,omitempty"`
	// ExchangeOnlineNetworksMaxAge is the file age (its modification time) after which a warning
	// is logged at every load: default 720h (DefaultMaxAge).
	ExchangeOnlineNetworksMaxAge duration.Duration `json:"exchangeOnlineNetworksMaxAge,omitempty"`
}

// Apply loads the file, if one is named, into cfg (the package's Apply) with names made
// absolute by rel, and returns the warnings to log.
func (o FileOptions) Apply(cfg *tenantgate.Config, rel func(string) string) ([]string, error) {
	if o.ExchangeOnlineNetworksFile == "" {
		if o.ExchangeOnlineNetworksMaxAge != 0 {
			return nil, errors.New("exchangeOnlineNetworksMaxAge: given without exchangeOnlineNetworksFile")
		}
		return nil, nil
	}
	w, err := Apply(cfg, rel(o.ExchangeOnlineNetworksFile), time.Duration(o.ExchangeOnlineNetworksMaxAge), time.Now())
	if err != nil {
		return nil, fmt.Errorf("exchangeOnlineNetworksFile: %w", err)
	}
	return w, nil
}

package main

import (
	"fmt"

	"github.com/d--j/go-milter"
)

// negotiate is go-milter's negotiation with one change: the skip reply (SMFIP_SKIP) is used when
// the MTA offers it and not required otherwise (go-milter refuses an MTA that lacks a requested
// option). Postfix and Sendmail 8.14+ offer it with protocol 6. Everything the filter requests
// besides must be offered, as go-milter requires.
func negotiate(mtaVersion, milterVersion uint32, mtaActions, milterActions milter.OptAction, mtaProtocol, milterProtocol milter.OptProtocol, offered milter.DataSize) (uint32, milter.OptAction, milter.OptProtocol, milter.DataSize, error) {
	if mtaVersion < 2 || mtaVersion > milterVersion {
		return 0, 0, 0, 0, fmt.Errorf("milter: negotiate: unsupported protocol version: %d", mtaVersion)
	}
	if milterActions&mtaActions != milterActions {
		return 0, 0, 0, 0, fmt.Errorf("milter: negotiate: MTA does not offer required actions. offered: %q requested: %q", mtaActions, milterActions)
	}
	if milterProtocol&mtaProtocol != milterProtocol {
		return 0, 0, 0, 0, fmt.Errorf("milter: negotiate: MTA does not offer required protocol options. offered: %q requested: %q", mtaProtocol, milterProtocol)
	}
	proto := milterProtocol
	if mtaVersion >= 6 {
		proto |= mtaProtocol & milter.OptSkip
	}
	return mtaVersion, milterActions, proto, offered, nil
}

package main

import (
	"fmt"

	"github.com/d--j/go-milter"
)

// quietStages are the protocol options for the stages where the filter never refuses, so the MTA
// need not wait for a reply there: no reply to connect, HELO, MAIL, each header field, end of
// header, DATA, unknown commands and each body chunk (SMFIP_NR_*), and no DATA and unknown-command
// events at all (the filter does nothing with them). The filter decides at RCPT (the recipient
// policy) and at end of message. With a 75-field header this turns about 80 round trips per
// transaction into three: the negotiation, RCPT and end of message. The end-of-header event stays
// (without a reply): miltertest's mt.eoh stops a script when SMFIP_NOEOH was negotiated.
//
// The body itself is always asked for (never SMFIP_NOBODY), whatever the configuration: its first
// paragraph is inspected for the rest of a header cut short (bodyStart, README.md "What Postfix
// passes") and DKIM needs all of it. So the negotiation, which go-milter makes before the filter
// exists and which a reload can outdate before the session takes its configuration (Connect),
// never depends on the configuration. Without a body-chunk reply the MTA streams the whole body;
// the skip reply (SMFIP_SKIP), which ends the body once the first paragraph is inspected and DKIM
// needs no more, is only for an MTA that offers it but not SMFIP_NR_BODY.
const quietStages = milter.OptNoConnReply | milter.OptNoHeloReply | milter.OptNoMailReply | milter.OptNoHeaderReply |
	milter.OptNoEOHReply | milter.OptNoDataReply | milter.OptNoUnknownReply | milter.OptNoBodyReply |
	milter.OptNoData | milter.OptNoUnknown

// negotiate is go-milter's negotiation with one change: the quiet stages (quietStages) and, without
// SMFIP_NR_BODY, the skip reply (SMFIP_SKIP) are used when the MTA offers them and not required otherwise
// (go-milter refuses an MTA that lacks a requested option). Postfix and Sendmail 8.14+ offer
// them with protocol 6. Everything the filter requests besides must be offered, as go-milter
// requires. The result is logged at debug level.
func (a *App) negotiate(mtaVersion, milterVersion uint32, mtaActions, milterActions milter.OptAction, mtaProtocol, milterProtocol milter.OptProtocol, offered milter.DataSize) (uint32, milter.OptAction, milter.OptProtocol, milter.DataSize, error) {
	v, act, proto, size, err := negotiate(mtaVersion, milterVersion, mtaActions, milterActions, mtaProtocol, milterProtocol, offered)
	if err != nil {
		a.log.Warn("milter negotiation failed", "err", err)
		return v, act, proto, size, err
	}
	a.log.Debug("milter negotiated", "version", v, "protocol", fmt.Sprintf("%#x", uint32(proto)),
		"quiet", fmt.Sprintf("%#x", uint32(proto&quietStages)), "skip", proto&milter.OptSkip != 0)
	return v, act, proto, size, nil
}

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
		proto |= mtaProtocol & quietStages
		if proto&milter.OptNoBodyReply == 0 {
			proto |= mtaProtocol & milter.OptSkip
		}
	}
	return mtaVersion, milterActions, proto, offered, nil
}

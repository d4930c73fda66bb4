package main

import (
	"fmt"

	"github.com/d--j/go-milter"
)

// quietStages are the protocol options for the stages where the filter never refuses, so the MTA
// need not wait for a reply there: no reply to connect, HELO, MAIL, each header field, end of
// header, DATA and unknown commands (SMFIP_NR_*), and no DATA and unknown-command events at all
// (the filter does nothing with them). The filter decides at RCPT (the recipient policy) and at
// end of message. With a 75-field header this turns about 80 round trips per transaction into a
// handful. The end-of-header event stays (without a reply): miltertest's mt.eoh stops a script
// when SMFIP_NOEOH was negotiated.
const quietStages = milter.OptNoConnReply | milter.OptNoHeloReply | milter.OptNoMailReply | milter.OptNoHeaderReply |
	milter.OptNoEOHReply | milter.OptNoDataReply | milter.OptNoUnknownReply |
	milter.OptNoData | milter.OptNoUnknown

// The body is always asked for (never SMFIP_NOBODY), whatever the configuration: its first
// paragraph is inspected for the rest of a header cut short (bodyStart, README.md "What Postfix
// passes"), and DKIM needs all of it. How it travels depends on that:
//   - When the configuration verifies DKIM (wholeBody), the whole body is needed anyway: the
//     chunks go without a reply (SMFIP_NR_BODY) when the MTA offers that, one wait less.
//   - Otherwise each chunk is answered, and once the first paragraph is inspected the answer is
//     the skip reply (SMFIP_SKIP), so the MTA sends no more of the body. Streaming the whole body
//     without replies instead cost about 2 ms of the milter's CPU per MiB of body (README.md,
//     "Performance") to save one wait.
//
// go-milter negotiates before a session takes its configuration (at Connect), and a reload can
// come in between; the choice above follows the configuration in force at the negotiation. A
// session whose configuration differs still gets the whole body it needs: the body was asked for,
// and the skip reply is decided by the session's own configuration (filter.BodyChunk), so the
// mismatch costs at most the efficiency. A connection negotiated without the body all the same
// decides nothing (replyNoBody).

// negotiate is go-milter's negotiation with one change: the quiet stages (quietStages) and the
// body options above are used when the MTA offers them and not required otherwise (go-milter
// refuses an MTA that lacks a requested option). Postfix and Sendmail 8.14+ offer them with
// protocol 6. Everything the filter requests besides must be offered, as go-milter requires.
// The configuration in force decides (current), not the one the server was built with. The
// result is logged at debug level.
func (a *App) negotiate(mtaVersion, milterVersion uint32, mtaActions, milterActions milter.OptAction, mtaProtocol, milterProtocol milter.OptProtocol, offered milter.DataSize) (uint32, milter.OptAction, milter.OptProtocol, milter.DataSize, error) {
	a = a.current()
	v, act, proto, size, err := negotiate(mtaVersion, milterVersion, mtaActions, milterActions, mtaProtocol, milterProtocol, offered, a.dkim != nil)
	if err != nil {
		a.log.Warn("milter negotiation failed", "err", err)
		return v, act, proto, size, err
	}
	a.log.Debug("milter negotiated", "version", v, "protocol", fmt.Sprintf("%#x", uint32(proto)),
		"quiet", fmt.Sprintf("%#x", uint32(proto&quietStages)), "skip", proto&milter.OptSkip != 0,
		"bodyNoReply", proto&milter.OptNoBodyReply != 0)
	return v, act, proto, size, nil
}

func negotiate(mtaVersion, milterVersion uint32, mtaActions, milterActions milter.OptAction, mtaProtocol, milterProtocol milter.OptProtocol, offered milter.DataSize, wholeBody bool) (uint32, milter.OptAction, milter.OptProtocol, milter.DataSize, error) {
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
		if wholeBody && mtaProtocol&milter.OptNoBodyReply != 0 {
			proto |= milter.OptNoBodyReply
		} else {
			proto |= mtaProtocol & milter.OptSkip
		}
	}
	return mtaVersion, milterActions, proto, offered, nil
}

package main

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-smtp"
)

// The next-hop session of a transaction (README.md, "Limits"): opened only when needed — at the
// first RCPT for a served tenant, whose answer is the RCPT's answer, or at end of data for a
// relayed recipient — used for every recipient of the transaction, and closed when the client
// idles (Limits.NextHopIdleTimeout without RCPT or DATA); DATA opens it again. Every open session
// is charged to Limits.MaxNextHopSessions and, for the client's address,
// Limits.MaxNextHopSessionsPerIP; with either spent the client gets 451 4.4.5.

// connect opens a next-hop session to h and sends RCPT for every recipient already accepted; on
// success it is s.up. At DATA a refusal is the answer to the message. At RCPT (reopening after
// the client idled) a refusal of an earlier recipient is not the answer for the recipient at
// hand: it gets errLost, temporary, and DATA tries again.
func (s *session) connect(ctx context.Context, h hop, atRcpt bool) (*smtp.SMTPError, error) {
	if !s.r.upBudget.take(s.ip, 1) {
		return errNextHopBusy, errNextHopBudget
	}
	up, reply, err := s.r.dial(ctx, h, *s.mail, s.mx)
	if err != nil {
		s.r.upBudget.give(s.ip, 1)
		return reply, err
	}
	up.budget, up.key = s.r.upBudget, s.ip
	for _, rc := range s.rcpts {
		if reply, err := up.rcpt(rc); err != nil {
			up.close()
			if atRcpt {
				return errLost, err
			}
			return reply, err
		}
	}
	s.setHop(h)
	s.up = up
	return nil, nil
}

var errNextHopBudget = errors.New("next-hop session budget spent")

// parked is the timer that closes a transaction's next-hop session while the client idles.
type parked struct {
	t    *time.Timer
	done chan struct{}
}

// park arms the idle timer for s.up, if a session is open. Only unpark touches s.up after it.
func (s *session) park() {
	if s.up == nil || s.idle != nil {
		return
	}
	up, p := s.up, &parked{done: make(chan struct{})}
	p.t = time.AfterFunc(time.Duration(s.r.limits.NextHopIdleTimeout), func() {
		defer close(p.done)
		s.log.Info("next-hop session closed: client idle", "nextHop", up.host)
		up.close()
	})
	s.idle = p
}

// unpark stops the idle timer; if it fired, s.up is gone and becomes nil.
func (s *session) unpark() {
	p := s.idle
	if p == nil {
		return
	}
	s.idle = nil
	if !p.t.Stop() {
		<-p.done
		s.up = nil
	}
}

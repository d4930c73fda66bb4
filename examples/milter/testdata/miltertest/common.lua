-- Shared steps of the miltertest scripts. "socket" is set by the test (-D socket=inet:PORT@127.0.0.1).
function check(cond, msg)
	if not cond then
		error(msg)
	end
end

-- session connects and says HELO as a client at addr, with the TLS macros Postfix passes for a
-- verified client certificate whose CN is subject ("" for none).
function session(addr, subject)
	local conn = mt.connect(socket, 40, 0.25)
	check(conn ~= nil, "mt.connect() failed")
	check(mt.conninfo(conn, "client.example", addr) == nil, "mt.conninfo() failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "conninfo: unexpected reply")
	if subject ~= "" then
		mt.macro(conn, SMFIC_HELO, "{tls_version}", "TLSv1.3", "{cert_subject}", subject, "{cert_issuer}", "Test CA")
	end
	check(mt.helo(conn, "client.example") == nil, "mt.helo() failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "helo: unexpected reply")
	return conn
end

-- envelope sends MAIL FROM and RCPT TO; it returns the reply to RCPT.
function envelope(conn, from, rcpt)
	check(mt.mailfrom(conn, from) == nil, "mt.mailfrom() failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "mailfrom: unexpected reply")
	check(mt.rcptto(conn, rcpt) == nil, "mt.rcptto() failed")
	return mt.getreply(conn)
end

-- header sends Exchange Online's header set for tenant (plus a forged verdict header) and the
-- end of the header.
function header(conn, tenant)
	mt.header(conn, "Authentication-Results", "gw.example.net; x-tenantgate=pass policy.hop=1")
	mt.header(conn, "X-MS-Exchange-CrossTenant-Id", tenant)
	mt.header(conn, "X-MS-Exchange-CrossTenant-AuthAs", "Internal")
	mt.header(conn, "X-MS-Exchange-CrossTenant-FromEntityHeader", "Hosted")
	mt.header(conn, "From", "carol@contoso.com")
	mt.header(conn, "Subject", "hello")
	check(mt.eoh(conn) == nil, "mt.eoh() failed")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "eoh: unexpected reply")
end

-- message sends header(conn, tenant) and no body; it returns the reply to end of message.
function message(conn, tenant)
	header(conn, tenant)
	check(mt.eom(conn) == nil, "mt.eom() failed")
	return mt.getreply(conn)
end

contoso = "11111111-1111-1111-1111-111111111111"
woodgrove = "33333333-3333-3333-3333-333333333333"
exo = "mail.protection.outlook.com"

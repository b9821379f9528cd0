// What each preset shows, for someone who has never opened a TCP book. The scenarios themselves
// (who sends what, when, and which segment the link loses) are in lab/presets.c, under the same
// names. A is the client on the left, B the server on the right.
'use strict';
const LAB_TEXT = {
  handshake: {
    what: 'Before two computers can exchange data over TCP they agree on where to start counting. ' +
      'A sends a SYN ("synchronise") with the number it will start from. B answers with its own SYN ' +
      'and an ACK ("acknowledge") of A\'s number. A acknowledges B\'s number. Three segments, and ' +
      'both sides are ESTABLISHED.',
    watch: 'The states under each host: CLOSED, SYN-SENT / SYN-RECEIVED, then ESTABLISHED. Sequence ' +
      'numbers are shown relative to each side\'s starting number (the ISN), so they start at 0; ' +
      'click a segment to see the real, random ones.',
  },
  'data-on-third': {
    what: 'A does not wait: its program writes a request as soon as the connection opens. The third ' +
      'segment of the handshake is a bare ACK, and here the link loses it. It does not matter: every ' +
      'segment after the handshake carries the same ACK, so the data segment that follows completes ' +
      'the handshake at B.',
    watch: 'The lost ACK (✗) and the data segment right after it: B becomes ESTABLISHED when the data ' +
      'arrives, and acknowledges it.',
  },
  close: {
    what: 'Each direction of a connection is closed on its own. A is done and sends a FIN ("finish"); ' +
      'B acknowledges it, and when B\'s program has read everything it closes too and sends its own ' +
      'FIN; A acknowledges that. Four segments. The side that closed first then waits in TIME-WAIT ' +
      'for twice the maximum segment lifetime (2·MSL, here 60 s) so that stray old segments die out ' +
      'before the same connection could be opened again.',
    watch: 'FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT on A; CLOSE-WAIT, LAST-ACK, CLOSED on B; and the TIME-WAIT ' +
      'countdown under A.',
  },
  'simultaneous-open': {
    what: 'Usually one side listens and the other connects. Here both connect to each other at the same ' +
      'moment, each from a fixed port. Both SYNs cross on the wire; each side answers the other\'s SYN ' +
      'with a SYN-ACK, and the connection opens with four segments instead of three.',
    watch: 'Both hosts go SYN-SENT, then SYN-RECEIVED (they received a SYN while waiting for a SYN-ACK), ' +
      'then ESTABLISHED.',
  },
  'simultaneous-close': {
    what: 'Both programs close at the same moment, so both FINs are on the wire at once. Each side ' +
      'receives a FIN while it is still waiting for the ACK of its own: that state is called CLOSING. ' +
      'Both then end in TIME-WAIT.',
    watch: 'FIN-WAIT-1 then CLOSING on both sides, and two TIME-WAITs counting down together.',
  },
  'lost-final-ack': {
    what: 'Why does TIME-WAIT exist? Here the very last ACK of the close is lost. B, in LAST-ACK, never ' +
      'hears that its FIN arrived, so it sends the FIN again after a timeout. A is still in TIME-WAIT, ' +
      'remembers the connection, and acknowledges the FIN again. Without TIME-WAIT, A would have ' +
      'answered with a reset.',
    watch: 'The lost ACK (✗), B\'s second FIN marked as a retransmission, and A\'s second ACK. A\'s ' +
      'TIME-WAIT starts over from the second FIN.',
  },
  'syn-flood': {
    what: 'An attacker sends SYNs from addresses that will never answer (198.51.100.x). For each, B ' +
      'keeps a half-open connection and keeps resending its SYN-ACK into the void. B\'s queue for ' +
      'half-open connections holds 4 here; once it is full, B stops keeping state and uses SYN ' +
      'cookies: it encodes what it needs into the sequence number of its SYN-ACK. When A, a real ' +
      'client, connects, B recognises its own cookie in A\'s ACK and the connection opens anyway.',
    watch: 'The flood of SYNs (all on the left, though they claim other addresses: click one to see ' +
      'its ports), the SYN-ACKs repeated after 1 s and 2 s, and A\'s own connection getting through; ' +
      'click its SYN-ACK: its reason says SYN cookie.',
  },
  'synack-backoff': {
    what: 'B\'s SYN-ACKs are lost (and so are A\'s repeated SYNs). B cannot tell whether its answer ' +
      'arrived, so it sends it again after a timeout, and doubles the wait each time (1 s, 2 s, 4 s, ' +
      '8 s): the network may be congested, and resending faster would make it worse. The fifth try ' +
      'gets through.',
    watch: 'The times in the left column: each SYN-ACK is twice as far from the previous one.',
  },
  rto: {
    what: 'A sends data and the link loses it, four times. A has no idea what happened: it only knows ' +
      'no ACK came. It first sends the data again early, as a probe (a tail loss probe); then it waits ' +
      'for the retransmission timeout (RTO, computed from the round-trip times measured so far) and ' +
      'doubles the RTO after each failure.',
    watch: 'The ✗ marks and the gaps between the retransmissions: 200 ms, 200 ms, 400 ms, 800 ms here ' +
      '(a short path has a small RTO; 200 ms is the least it may be). Click one: its reason says which ' +
      'timer sent it.',
  },
  'fast-retransmit': {
    what: 'A sends a burst of ten segments and the third is lost. B keeps acknowledging the last byte it ' +
      'got in order, so each segment after the hole produces the same ACK again: duplicate ACKs. ' +
      'They also carry SACK blocks telling A exactly which later data did arrive. After three ' +
      'duplicates A resends the missing segment at once instead of waiting for a timeout.',
    watch: 'The "dup ack" marks, the SACK ranges in the segments\' options, and the retransmission a ' +
      'few milliseconds later instead of a timeout.',
  },
  'zero-window': {
    what: 'Every ACK says how much more the receiver can take: the window. B\'s program stops reading ' +
      'and B\'s small buffer (4 KB) fills up, so B announces a window of 0: "stop". A stops, but keeps ' +
      'probing now and then with a tiny segment, so it learns when the window opens again. At 9 s B\'s ' +
      'program reads, B announces a window again, and the data flows.',
    watch: 'The "zero window" ACKs, A\'s window probes, and the window update from B.',
  },
  'slow-start': {
    what: 'A sends 400 KB over a 10 Mbit/s path. It does not know how fast the path is, so it starts ' +
      'with a small congestion window (cwnd: how much may be unacknowledged) and grows it with every ' +
      'ACK, doubling it every round trip: slow start. When the router\'s queue overflows and segments ' +
      'are lost, A cuts the window and then grows it slowly: congestion avoidance.',
    watch: 'The plot of cwnd over time above the ladder: the steep start, the cut at the first loss, ' +
      'the slow growth after (CUBIC).',
  },
  keepalive: {
    what: 'A connection that carries nothing sends nothing, so a side cannot tell an idle peer from a ' +
      'vanished one. With keep-alive on (here after 10 s of silence) A sends a probe that B must ' +
      'acknowledge. Later B disappears (its answers are lost): after three unanswered probes A gives ' +
      'up and resets the connection.',
    watch: 'The keep-alive probes every 10 s, the missing answers, and A going from ESTABLISHED to ' +
      'CLOSED.',
  },
  'rst-closed': {
    what: 'A tries to connect to port 81, where no program listens on B. B answers the SYN with a ' +
      'reset (RST): "no one here". A gives up at once: the program sees "connection refused".',
    watch: 'One SYN, one RST, and A back in CLOSED.',
  },
  'http-keepalive': {
    what: 'A web browser fetches two pages. With HTTP/1.0 each request gets its own connection: ' +
      'handshake, request, answer, close, and again. With HTTP/1.1 the connection is kept alive and ' +
      'the second request reuses it: no second handshake, no second close.',
    watch: 'Two complete connections (1.0) against one connection with two requests on it (1.1).',
  },
};

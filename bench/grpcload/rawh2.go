package main

// The "h2" engine: unary gRPC calls over one HTTP/2 connection, driven by one goroutine
// on one locked OS thread that blocks in read(2) itself, as h2load or wrk do.
//
// Why not grpc-go: its transport hands every call between goroutines (the caller, the
// loopy writer, the reader), and with blocking syscalls the runtime hands Ps between
// threads and sysmon polls every 20 µs. A perf profile of grpc-go here spent 63 % of
// its time in the kernel, 95-130 µs of CPU per call on the two cores the service runs
// on. This engine does one write per batch of requests and one read per batch of
// replies, and nothing else runs in the process while a round is on.
//
// It speaks only what a unary client needs: the preface and SETTINGS (acknowledged
// both ways), HEADERS + one DATA frame per request, the server's replies and trailers
// (or a trailers-only reply), WINDOW_UPDATE for both directions, PING acks, and it
// fails the round on GOAWAY or a connection error. A stream reset counts as a failed
// call, like any non-OK grpc-status.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
)

const (
	// Our receive windows are opened wide once, and the connection window is topped up
	// whenever half of it is used, so the server never waits for a WINDOW_UPDATE.
	receiveWindow   = math.MaxInt32
	readBufferBytes = 256 * 1024
)

// rawFD is a blocking TCP socket read and written with raw syscalls: the goroutine
// keeps its P while it waits, so the runtime neither hands it to another thread nor
// wakes sysmon every 20 µs (as it does for a goroutine in a blocking syscall).
type rawFD int

func (fd rawFD) Read(p []byte) (int, error) {
	for {
		n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return 0, errno
		case n == 0:
			return 0, errors.New("connection closed by the server")
		}
		return int(n), nil
	}
}

func (fd rawFD) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		rest := p[written:]
		n, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(rest))),
			uintptr(len(rest)))
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return written, errno
		}
		written += int(n)
	}
	return written, nil
}

func dialRaw(target string) (rawFD, error) {
	addr, err := net.ResolveTCPAddr("tcp4", target)
	if err != nil {
		return -1, err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	sa := &unix.SockaddrInet4{Port: addr.Port}
	copy(sa.Addr[:], addr.IP.To4())
	if err := unix.Connect(fd, sa); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return rawFD(fd), nil
}

// h2Conn is one client connection; only the goroutine running a round touches it.
type h2Conn struct {
	fd         rawFD
	authority  string
	reader     *bufio.Reader
	writer     *bufio.Writer
	framer     *http2.Framer
	encoder    *hpack.Encoder
	headerBuf  *bytes.Buffer
	nextStream uint32
	// What the server lets us send: its connection window, and each new stream's.
	sendWindow       int64
	streamSendWindow int64
	maxStreams       uint32
	receivedUnacked  int64
}

func openH2(target string) (*h2Conn, error) {
	fd, err := dialRaw(target)
	if err != nil {
		return nil, err
	}
	c := &h2Conn{
		fd:               fd,
		authority:        target,
		reader:           bufio.NewReaderSize(fd, readBufferBytes),
		writer:           bufio.NewWriterSize(fd, readBufferBytes),
		headerBuf:        &bytes.Buffer{},
		nextStream:       1,
		sendWindow:       65535,
		streamSendWindow: 65535,
		maxStreams:       math.MaxUint32,
	}
	c.framer = http2.NewFramer(c.writer, c.reader)
	c.framer.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.framer.MaxHeaderListSize = 1 << 20
	c.encoder = hpack.NewEncoder(c.headerBuf)
	if err := c.greet(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// greet sends the preface, our SETTINGS and the connection window update.
func (c *h2Conn) greet() error {
	if _, err := c.writer.WriteString(http2.ClientPreface); err != nil {
		return err
	}
	err := c.framer.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: receiveWindow},
		http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	if err != nil {
		return err
	}
	if err := c.framer.WriteWindowUpdate(0, receiveWindow-65535); err != nil {
		return err
	}
	return c.writer.Flush()
}

func (c *h2Conn) close() { unix.Close(int(c.fd)) }

// call is one request in flight.
type call struct {
	slot    int
	started time.Time
	status  string // grpc-status from the reply's trailers, "" until they arrive
	message string
}

// h2Round runs one command's calls: each slot keeps one call in flight and takes the
// next operation from the shared count when its call ends.
type h2Round struct {
	conn       *h2Conn
	cmd        command
	perSlot    [][][]byte
	headers    [][2]string // request headers after the pseudo-headers, in order
	inFlight   map[uint32]*call
	sentBySlot []int
	taken      int
	latencies  []float64
	res        *result
}

func runRoundH2(conns map[string]*h2Conn, cmd command, perSlot [][][]byte) (*result, error) {
	// The whole round runs on this thread; nothing else in the process has work.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	conn, ok := conns[cmd.Target]
	if !ok {
		var err error
		if conn, err = openH2(cmd.Target); err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", cmd.Target, err)
		}
		conns[cmd.Target] = conn
	}
	r := &h2Round{
		conn:       conn,
		cmd:        cmd,
		perSlot:    perSlot,
		headers:    requestHeaders(cmd),
		inFlight:   map[uint32]*call{},
		sentBySlot: make([]int, len(perSlot)),
		latencies:  make([]float64, 0, cmd.Ops),
		res:        &result{Ops: cmd.Ops, Errors: map[string]int{}},
	}
	started := time.Now()
	if err := r.run(); err != nil {
		// The connection's state is unknown now: the next round opens a new one.
		conn.close()
		delete(conns, cmd.Target)
		return nil, err
	}
	r.res.Seconds = time.Since(started).Seconds()
	r.res.LatenciesS = r.latencies
	return r.res, nil
}

func requestHeaders(cmd command) [][2]string {
	timeoutMs := int64(cmd.TimeoutS * 1000)
	headers := [][2]string{
		{"content-type", "application/grpc+proto"},
		{"te", "trailers"},
		{"user-agent", "g60-grpcload"},
		{"grpc-timeout", strconv.FormatInt(timeoutMs, 10) + "m"},
	}
	for key, value := range cmd.Metadata {
		headers = append(headers, [2]string{strings.ToLower(key), value})
	}
	return headers
}

func (r *h2Round) run() error {
	for slot := range r.perSlot {
		if err := r.startNext(slot); err != nil {
			return err
		}
	}
	for len(r.inFlight) > 0 {
		if r.conn.reader.Buffered() == 0 {
			// Everything read so far is handled: send what it started, then wait.
			if err := r.conn.writer.Flush(); err != nil {
				return err
			}
		}
		frame, err := r.conn.framer.ReadFrame()
		if err != nil {
			return fmt.Errorf("reading a frame: %w", err)
		}
		if err := r.handle(frame); err != nil {
			return err
		}
	}
	return r.conn.writer.Flush()
}

// startNext sends slot's next request, if operations are left.
func (r *h2Round) startNext(slot int) error {
	if r.taken >= r.cmd.Ops {
		return nil
	}
	payload := r.perSlot[slot][r.sentBySlot[slot]]
	size := int64(len(payload) + 5)
	if size > r.conn.sendWindow || size > r.conn.streamSendWindow {
		// The server has always opened its windows well past one request here; waiting
		// for a WINDOW_UPDATE would need a queue this client has no use for.
		return fmt.Errorf("request of %d bytes exceeds the server's send window (%d, %d)",
			size, r.conn.sendWindow, r.conn.streamSendWindow)
	}
	if uint32(len(r.inFlight)) >= r.conn.maxStreams {
		return fmt.Errorf("concurrency %d exceeds the server's %d streams", r.cmd.Concurrency, r.conn.maxStreams)
	}
	r.taken++
	r.sentBySlot[slot]++
	stream := r.conn.nextStream
	r.conn.nextStream += 2
	if err := r.writeHeaders(stream); err != nil {
		return err
	}
	body := make([]byte, 5, size)
	binary.BigEndian.PutUint32(body[1:5], uint32(len(payload)))
	body = append(body, payload...)
	if err := r.conn.framer.WriteData(stream, true, body); err != nil {
		return err
	}
	r.conn.sendWindow -= size
	r.inFlight[stream] = &call{slot: slot, started: time.Now()}
	return nil
}

func (r *h2Round) writeHeaders(stream uint32) error {
	c := r.conn
	c.headerBuf.Reset()
	fields := [][2]string{
		{":method", "POST"}, {":scheme", "http"}, {":path", r.cmd.Method}, {":authority", c.authority},
	}
	for _, kv := range append(fields, r.headers...) {
		if err := c.encoder.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]}); err != nil {
			return err
		}
	}
	return c.framer.WriteHeaders(http2.HeadersFrameParam{
		StreamID: stream, BlockFragment: c.headerBuf.Bytes(), EndHeaders: true,
	})
}

func (r *h2Round) handle(frame http2.Frame) error {
	switch f := frame.(type) {
	case *http2.MetaHeadersFrame:
		return r.onHeaders(f)
	case *http2.DataFrame:
		return r.onData(f)
	case *http2.RSTStreamFrame:
		return r.finish(f.StreamID, "RST_STREAM", f.ErrCode.String())
	case *http2.SettingsFrame:
		return r.onSettings(f)
	case *http2.WindowUpdateFrame:
		if f.StreamID == 0 {
			r.conn.sendWindow += int64(f.Increment)
		}
		return nil
	case *http2.PingFrame:
		if !f.IsAck() {
			return r.conn.framer.WritePing(true, f.Data)
		}
		return nil
	case *http2.GoAwayFrame:
		return fmt.Errorf("the server sent GOAWAY (%v): %s", f.ErrCode, f.DebugData())
	}
	return nil // PRIORITY and unknown frames carry nothing for a client
}

func (r *h2Round) onSettings(f *http2.SettingsFrame) error {
	if f.IsAck() {
		return nil
	}
	err := f.ForeachSetting(func(s http2.Setting) error {
		switch s.ID {
		case http2.SettingInitialWindowSize:
			r.conn.streamSendWindow = int64(s.Val)
		case http2.SettingMaxConcurrentStreams:
			r.conn.maxStreams = s.Val
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.conn.framer.WriteSettingsAck()
}

func (r *h2Round) onHeaders(f *http2.MetaHeadersFrame) error {
	c, ok := r.inFlight[f.StreamID]
	if !ok {
		return nil
	}
	for _, field := range f.Fields {
		switch field.Name {
		case ":status":
			if field.Value != "200" {
				c.status, c.message = "HTTP "+field.Value, "http status "+field.Value
			}
		case "grpc-status":
			if c.status == "" {
				c.status = field.Value
			}
		case "grpc-message":
			c.message = field.Value
		}
	}
	if !f.StreamEnded() {
		return nil
	}
	return r.finish(f.StreamID, c.status, c.message)
}

func (r *h2Round) onData(f *http2.DataFrame) error {
	// The reply's bytes are not needed; the connection window is topped up as they come.
	c := r.conn
	c.receivedUnacked += int64(f.Length)
	if c.receivedUnacked >= receiveWindow/2 {
		if err := c.framer.WriteWindowUpdate(0, uint32(c.receivedUnacked)); err != nil {
			return err
		}
		c.receivedUnacked = 0
	}
	if f.StreamEnded() {
		call, ok := r.inFlight[f.StreamID]
		if ok {
			return r.finish(f.StreamID, call.status, "reply ended without trailers")
		}
	}
	return nil
}

// finish records a call's outcome and starts the slot's next call.
func (r *h2Round) finish(stream uint32, status, message string) error {
	c, ok := r.inFlight[stream]
	if !ok {
		return nil
	}
	delete(r.inFlight, stream)
	r.latencies = append(r.latencies, time.Since(c.started).Seconds())
	if status != "0" {
		name := status
		if name == "" {
			name = "NoStatus"
		}
		if code, err := strconv.ParseUint(status, 10, 32); err == nil {
			name = codes.Code(code).String()
		}
		r.res.Errors[name]++
		if r.res.FirstError == "" {
			r.res.FirstError = fmt.Sprintf("rpc error: code = %s desc = %s", name, message)
		}
	}
	return r.startNext(c.slot)
}

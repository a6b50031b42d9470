// Command grpcload is the benchmarks' gRPC load generator: a lean client, so that the
// CPU a benchmark charges to the gRPC path is the service's and not a Python client's.
//
// It reads one JSON command per line on stdin, runs that round and prints one JSON
// result line on stdout, until stdin closes. A command names the target, the full
// method ("/pkg.Service/Method"), the metadata, a request file (see loadRequests), the
// total operations and the concurrency. The workers share those operations and one
// ClientConn per target, which stays open across rounds (connect once).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	maxConcurrency = 1024
	maxTimeoutS    = 600
)

type command struct {
	Target      string            `json:"target"`
	Method      string            `json:"method"`
	Metadata    map[string]string `json:"metadata"`
	Requests    string            `json:"requests"`
	Ops         int               `json:"ops"`
	Concurrency int               `json:"concurrency"`
	TimeoutS    float64           `json:"timeout_s"`
	// "h2" (the default: rawh2.go) or "grpc-go" (grpc-go's ClientConn, for comparison).
	Engine string `json:"engine"`
}

type result struct {
	Ops        int            `json:"ops"`
	Seconds    float64        `json:"seconds"`
	LatenciesS []float64      `json:"latencies_s"`
	Errors     map[string]int `json:"errors"` // failed calls by gRPC code
	FirstError string         `json:"first_error,omitempty"`
}

// refusal answers a command that could not run at all (as opposed to failed calls).
type refusal struct {
	Error string `json:"error"`
}

func main() {
	log.SetPrefix("grpcload: ")
	// One P unless GOMAXPROCS says otherwise. At a service's pace (a few thousand calls
	// a second) the client is mostly syscalls; with a second P the runtime spins and
	// hands goroutines between threads, which cost ~40% more CPU per call on two shared
	// cores (~45 against ~65 µs in a loopback test), on the cores the service runs on.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	conns := map[string]*grpc.ClientConn{}
	h2conns := map[string]*h2Conn{}
	defer func() {
		for _, conn := range conns {
			conn.Close()
		}
		for _, conn := range h2conns {
			conn.close()
		}
	}()
	in, out := json.NewDecoder(os.Stdin), json.NewEncoder(os.Stdout)
	for {
		var cmd command
		if err := in.Decode(&cmd); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			log.Fatalf("reading a command: %v", err)
		}
		var answer any
		if res, err := serve(conns, h2conns, cmd); err != nil {
			answer = refusal{err.Error()}
		} else {
			answer = res
		}
		if err := out.Encode(answer); err != nil {
			log.Fatalf("writing a result: %v", err)
		}
	}
}

func serve(conns map[string]*grpc.ClientConn, h2conns map[string]*h2Conn, cmd command) (*result, error) {
	if cmd.Method == "" || cmd.Ops < 0 || cmd.Concurrency < 1 ||
		cmd.Concurrency > maxConcurrency || cmd.TimeoutS <= 0 || cmd.TimeoutS > maxTimeoutS {
		return nil, fmt.Errorf("invalid command %+v", cmd)
	}
	perSlot, err := loadRequests(cmd.Requests)
	if err != nil {
		return nil, err
	}
	if len(perSlot) != cmd.Concurrency {
		return nil, fmt.Errorf("%d slots of requests for concurrency %d", len(perSlot), cmd.Concurrency)
	}
	// The workers share the operations unevenly, so one worker may run them all.
	for s, payloads := range perSlot {
		if len(payloads) < cmd.Ops {
			return nil, fmt.Errorf("slot %d has %d requests for %d ops", s, len(payloads), cmd.Ops)
		}
	}
	switch cmd.Engine {
	case "", "h2":
		return runRoundH2(h2conns, cmd, perSlot)
	case "grpc-go":
	default:
		return nil, fmt.Errorf("unknown engine %q", cmd.Engine)
	}
	conn, ok := conns[cmd.Target]
	if !ok {
		conn, err = grpc.NewClient(cmd.Target,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})))
		if err != nil {
			return nil, err
		}
		conns[cmd.Target] = conn
	}
	return runRound(conn, cmd, perSlot), nil
}

// runRound runs cmd.Ops calls from cmd.Concurrency workers, each taking the next
// operation from a shared counter, and times every call.
func runRound(conn *grpc.ClientConn, cmd command, perSlot [][][]byte) *result {
	ctx := metadata.NewOutgoingContext(context.Background(), metadata.New(cmd.Metadata))
	timeout := time.Duration(cmd.TimeoutS * float64(time.Second))
	res := &result{Ops: cmd.Ops, Errors: map[string]int{}}
	latencies := make([][]float64, cmd.Concurrency) // per worker: no lock per call
	var taken atomic.Int64
	var failures sync.Mutex
	var workers sync.WaitGroup
	started := time.Now()
	for slot, payloads := range perSlot {
		workers.Go(func() {
			for i := 0; taken.Add(1) <= int64(cmd.Ops); i++ {
				var reply []byte
				call, cancel := context.WithTimeout(ctx, timeout)
				t := time.Now()
				err := conn.Invoke(call, cmd.Method, &payloads[i], &reply)
				latencies[slot] = append(latencies[slot], time.Since(t).Seconds())
				cancel()
				if err != nil {
					failures.Lock()
					res.Errors[status.Code(err).String()]++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
					failures.Unlock()
				}
			}
		})
	}
	workers.Wait()
	res.Seconds = time.Since(started).Seconds()
	res.LatenciesS = make([]float64, 0, cmd.Ops)
	for _, l := range latencies {
		res.LatenciesS = append(res.LatenciesS, l...)
	}
	return res
}

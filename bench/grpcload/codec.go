package main

import (
	"fmt"

	"google.golang.org/grpc/mem"
)

// rawCodec passes messages through as bytes: the Python side serializes each request
// with the generated protobuf classes, so this program needs no generated Go code.
// Named "proto" so the content-type stays application/grpc+proto, as from any client.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch b := v.(type) {
	case []byte:
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	case *[]byte:
		return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T, only []byte", v)
}

// Unmarshal copies the reply: grpc frees data's buffers once this returns.
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T, only *[]byte", v)
	}
	*b = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

package sinks_test

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
)

func TestS3GetMinIO(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	s := newS3(t, srv, sinks.S3Options{})
	testGet(t, s, s)
}

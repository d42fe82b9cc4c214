package ingest

import "context"

// Resource policies, attached to streams and consumers by ARN. Hydrant stores them and hands them back;
// it does not evaluate them (see auth.go: requests are not authenticated).

type putResourcePolicyInput struct {
	ResourceARN string
	Policy      string
}

func (k *kinesisAPI) putResourcePolicy(_ context.Context, rc *reqCtx, in *putResourcePolicyInput) (any, error) {
	return nil, k.store.PutResourcePolicy(rc.scope, in.ResourceARN, in.Policy)
}

type resourceARNInput struct {
	ResourceARN string
}

type getResourcePolicyOutput struct {
	Policy string
}

func (k *kinesisAPI) getResourcePolicy(_ context.Context, rc *reqCtx, in *resourceARNInput) (any, error) {
	p, err := k.store.GetResourcePolicy(rc.scope, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return getResourcePolicyOutput{Policy: p}, nil
}

func (k *kinesisAPI) deleteResourcePolicy(_ context.Context, rc *reqCtx, in *resourceARNInput) (any, error) {
	return nil, k.store.DeleteResourcePolicy(rc.scope, in.ResourceARN)
}

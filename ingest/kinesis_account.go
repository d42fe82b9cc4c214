package ingest

import "context"

// Account-level operations: limits and settings.

type describeLimitsInput struct{}

type describeLimitsOutput struct {
	ShardLimit               int
	OpenShardCount           int
	OnDemandStreamCount      int
	OnDemandStreamCountLimit int
}

func (k *kinesisAPI) describeLimits(_ context.Context, rc *reqCtx, _ *describeLimitsInput) (any, error) {
	l := k.store.DescribeLimits(rc.scope)
	return describeLimitsOutput{
		ShardLimit:               l.ShardLimit,
		OpenShardCount:           l.OpenShardCount,
		OnDemandStreamCount:      l.OnDemandStreamCount,
		OnDemandStreamCountLimit: l.OnDemandStreamCountLimit,
	}, nil
}

type billingCommitment struct {
	Status string
}

type accountSettingsOutput struct {
	MinimumThroughputBillingCommitment billingCommitment
}

type describeAccountSettingsInput struct{}

func (k *kinesisAPI) describeAccountSettings(_ context.Context, rc *reqCtx, _ *describeAccountSettingsInput) (any, error) {
	return accountSettingsOutput{MinimumThroughputBillingCommitment: billingCommitment{Status: k.store.AccountSettings(rc.scope)}}, nil
}

type updateAccountSettingsInput struct {
	MinimumThroughputBillingCommitment billingCommitment
}

func (k *kinesisAPI) updateAccountSettings(_ context.Context, rc *reqCtx, in *updateAccountSettingsInput) (any, error) {
	if err := k.store.SetAccountSettings(rc.scope, in.MinimumThroughputBillingCommitment.Status); err != nil {
		return nil, err
	}
	return accountSettingsOutput{MinimumThroughputBillingCommitment: billingCommitment{Status: k.store.AccountSettings(rc.scope)}}, nil
}

package buffer

// The Manager starts and stops deliveries through the two methods below; the delivery engine
// replaces this file with its own (and the two state types with what it keeps).

// engineShared is the delivery engine's state shared by every delivery stream of a Manager.
type engineShared struct{}

// engineRun is the delivery engine's state for one delivery stream, guarded by deliveryStream.ctl.
type engineRun struct{}

// startDelivery starts ds's delivery with its current configuration (ds.Config, ds.Source). The
// Manager calls it with ds.ctl held once ds is on disk: at Create (ds is CREATING for
// Options.TransitionDelay and takes no records before it is ACTIVE), at Open for every delivery stream,
// and after UpdateDestination. It must not block on the destination.
func (m *Manager) startDelivery(ds *deliveryStream) {}

// stopDelivery stops ds's delivery and returns once it no longer runs nor touches ds.Dir(). The
// Manager calls it with ds.ctl held: at Delete (before the directory goes), before UpdateDestination
// changes the configuration, and at Close. Stopping a delivery that does not run does nothing.
func (m *Manager) stopDelivery(ds *deliveryStream) {}

-- Which controller instance runs a schedule search: on a restart an instance re-queues only its own
-- interrupted searches (several instances share one database when scaled out). NULL: a search from
-- before V4, re-queued by whichever instance starts first.
ALTER TABLE schedule_searches ADD COLUMN owner_instance VARCHAR(64);

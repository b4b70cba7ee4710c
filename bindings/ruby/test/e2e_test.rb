# frozen_string_literal: true

# End-to-end scenario against the local Stigg emulator (started here on free ports, stopped by pid):
# provisioning, entitlement reads, usage writes with server-computed usage, events to a block
# listener, Stigg errors with code and trace id, and a rejected API key.
require "minitest/autorun"
require "net/http"
require "socket"
require "securerandom"
require_relative "../lib/stigg"

class E2eTest < Minitest::Test
  KEY = "server-emulator-key"

  def self.free_port
    s = TCPServer.new("127.0.0.1", 0)
    s.addr[1]
  ensure
    s&.close
  end

  def self.emulator
    @emulator ||= begin
      bin = ENV["STIGG_EMULATOR_BIN"] ||
            File.join(ENV.fetch("CARGO_TARGET_DIR", File.expand_path("../../../target", __dir__)), "debug", "stigg-emulator")
      skip_reason = "emulator binary not found at #{bin} (set STIGG_EMULATOR_BIN)" unless File.executable?(bin)
      raise skip_reason if skip_reason

      port = free_port
      edge = free_port
      pid = Process.spawn(bin, "--port", port.to_s, "--edge-port", edge.to_s, out: File::NULL, err: File::NULL)
      Minitest.after_run do
        Process.kill("TERM", pid)
        Process.wait(pid)
      end
      deadline = Time.now + 30
      loop do
        begin
          break if Net::HTTP.get_response(URI("http://127.0.0.1:#{port}/_emulator/health")).code == "200"
        rescue SystemCallError
          nil
        end
        raise "emulator did not become healthy" if Time.now > deadline

        sleep 0.1
      end
      { base: "http://127.0.0.1:#{port}", edge: "http://127.0.0.1:#{edge}" }
    end
  end

  def client(key: KEY)
    emu = self.class.emulator
    Stigg::Client.new(api_key: key, base_uri: emu[:base], base_edge_uri: emu[:edge], read_env: false)
  end

  def test_scenario
    c = client.wait_for_initialization
    events = Queue.new
    c.add_listener { |e| events << e }
    customer = "ruby-e2e-#{SecureRandom.hex(4)}"
    provisioned = c.provision_customer(customer_id: customer, name: "Ruby",
                                       subscription_params: { plan_id: "plan-revvenu-pro" })
    assert_equal customer, provisioned[:customer][:id]

    calls = c.get_metered_entitlement(customer_id: customer, feature_id: "feature-api-calls", requested_usage: 5)
    assert calls.has_access
    refute calls.is_fallback
    assert_equal 100_000, calls.usage_limit
    assert_equal "feature-api-calls", calls.feature.id

    assert c.get_boolean_entitlement(customer_id: customer, feature_id: "feature-custom-domain").has_access
    denied = c.get_boolean_entitlement(customer_id: customer, feature_id: "feature-sso")
    refute denied.has_access
    assert_equal "NoFeatureEntitlementInSubscription", denied.access_denied_reason

    ack = c.report_usage(customer_id: customer, feature_id: "feature-api-calls", value: 7)
    assert_equal 7, ack[:current_usage]
    after = c.get_metered_entitlement(customer_id: customer, feature_id: "feature-api-calls")
    assert_equal 7, after.current_usage

    assert_equal customer, c.get_customer(customer)[:id]
    state = c.get_entitlements_state_v2(customer_id: customer)
    assert(state[:entitlements].any? { |e| e.respond_to?(:feature) && e.feature&.id == "feature-seats" })

    err = assert_raises(Stigg::Error) { c.get_customer("no-such-customer-#{SecureRandom.hex(4)}") }
    assert_equal "CustomerNotFound", err.code
    err = assert_raises(Stigg::Error) { c.report_usage(customer_id: "", feature_id: "f", value: 1) }
    assert_equal "InvalidArgument", err.code

    seen = []
    deadline = Time.now + 5
    seen << events.pop(true) while !events.empty? || (seen.none? { |e| e[:type] == "cacheHit" } && Time.now < deadline && sleep(0.05))
    assert(seen.any? { |e| e[:type] == "cacheHit" }, "listener saw #{seen.map { |e| e[:type] }.uniq}")
    c.close
    assert_raises(Stigg::Error) { c.report_usage(customer_id: customer, feature_id: "feature-api-calls", value: 1) }
  end

  def test_bad_key
    err = assert_raises(Stigg::Error) { client(key: "server-wrong-key").wait_for_initialization }
    refute_empty err.code
  end

  # Redis mode: Stigg's `redis` option reaches the core, reads go through a real redis-server in
  # Stigg's key layout, and a typo in the option is a Stigg::Error.
  def test_redis_mode
    redis_bin = ENV["PATH"].split(":").map { |d| File.join(d, "redis-server") }.find { |p| File.executable?(p) }
    if redis_bin.nil?
      flunk("redis-server is required (STIGG_REQUIRE_REDIS)") if ENV["STIGG_REQUIRE_REDIS"]
      skip("redis-server is not installed")
    end
    port = self.class.free_port
    pid = Process.spawn(redis_bin, "--port", port.to_s, "--save", "", "--appendonly", "no", out: File::NULL, err: File::NULL)
    begin
      deadline = Time.now + 10
      until redis(port, "PING").start_with?("+PONG")
        raise "redis-server did not answer" if Time.now > deadline

        sleep 0.05
      end
      admin = client.wait_for_initialization
      customer = "ruby-redis-#{SecureRandom.hex(4)}"
      admin.provision_customer(customer_id: customer, subscription_params: { plan_id: "plan-revvenu-pro" })
      emu = self.class.emulator
      c = Stigg::Client.new(api_key: KEY, base_uri: emu[:base], base_edge_uri: emu[:edge], read_env: false,
                            redis: { environment_prefix: "rubytest", host: "127.0.0.1", port: port, ttl: -1 })
      r = c.get_boolean_entitlement(customer_id: customer, feature_id: "feature-custom-domain")
      assert r.has_access
      refute r.is_fallback
      assert_equal ":1\r\n", redis(port, "EXISTS", "rubytest:c_#{customer}")
      assert_equal ":-1\r\n", redis(port, "TTL", "rubytest:c_#{customer}")
      assert_raises(Stigg::Error) { Stigg::Client.new(offline: true, redis: { environment_prefix: "p", hots: "x" }) }
    ensure
      Process.kill("TERM", pid)
      Process.wait(pid)
    end
  end

  def redis(port, *args)
    TCPSocket.open("127.0.0.1", port) do |s|
      s.write("*#{args.size}\r\n" + args.map { |a| "$#{a.bytesize}\r\n#{a}\r\n" }.join)
      s.readpartial(65_536)
    end
  rescue SystemCallError
    ""
  end
end

# frozen_string_literal: true

# Stigg for Ruby: an idiomatic face over the UniFFI-generated module (lib/stigg/stigg_uniffi.rb), which
# calls the Rust core in libstigg_uniffi.so. Every decision is the core's; this file translates names,
# keyword arguments, errors and listeners.
#
#   client = Stigg::Client.new(api_key: ENV["STIGG_API_KEY"])
#   client.get_metered_entitlement(customer_id: "c-1", feature_id: "feature-calls", requested_usage: 3).has_access
#   client.report_usage(customer_id: "c-1", feature_id: "feature-calls", value: 1)
#   client.add_listener { |event| puts event[:type] }

require "ffi"
require "json"

module Stigg
  # Finds libstigg_uniffi.so: $STIGG_UNIFFI_LIB, next to this file, or a cargo target directory. Loaded
  # by absolute path (RTLD_GLOBAL) before the generated module asks for it by its SONAME.
  module Native
    def self.candidates
      target = ENV.fetch("CARGO_TARGET_DIR", File.expand_path("../../../target", __dir__))
      [ENV["STIGG_UNIFFI_LIB"], File.join(__dir__, "libstigg_uniffi.so"),
       File.join(target, "release", "libstigg_uniffi.so"), File.join(target, "debug", "libstigg_uniffi.so")].compact
    end

    def self.load!
      path = candidates.find { |p| File.file?(p) }
      FFI::DynamicLibrary.open(path, FFI::DynamicLibrary::RTLD_LAZY | FFI::DynamicLibrary::RTLD_GLOBAL) if path
    end
  end
  Native.load!
end

require_relative "stigg/stigg_uniffi"

module Stigg
  # The hot path: libstigg_uniffi.so also exports libstigg's C ABI; cached checks call it with plain
  # structs through ruby-ffi (~1 µs) instead of UniFFI's generated lowering (~20-30 µs per call).
  module FastPath
    extend FFI::Library
    ffi_lib "stigg_uniffi"

    REASONS = [nil, "BudgetExceeded", "CustomerIsArchived", "CustomerNotFound", "CustomerResourceNotFound",
               "EntitlementNotFound", "FeatureNotFound", "FeatureTypeMismatch", "InsufficientCredits",
               "NoActiveSubscription", "NoFeatureEntitlementInSubscription", "RequestedUsageExceedingLimit",
               "RequestedValuesMismatch", "Revoked", "Unknown"].freeze

    # stigg_check_options_t
    class Options < FFI::Struct
      layout :resource_id, :pointer, :has_requested_usage, :bool, :requested_usage, :double,
             :has_requested_values, :bool, :requested_values, :pointer, :requested_values_len, :size_t,
             :fallback, :pointer, :include_details, :bool
    end

    # stigg_boolean_result_t
    class BooleanResult < FFI::Struct
      layout :has_access, :bool, :is_fallback, :bool, :reason, :int, :details, :pointer
    end

    # stigg_metered_result_t
    class MeteredResult < FFI::Struct
      layout :has_access, :bool, :is_fallback, :bool, :reason, :int, :has_usage_limit, :bool, :usage_limit, :double,
             :is_unlimited, :bool, :has_soft_limit, :bool, :current_usage, :double, :requested_usage, :double,
             :reset_period, :int, :has_anchor, :bool, :anchor_ms, :int64, :has_start, :bool, :start_ms, :int64,
             :has_end, :bool, :end_ms, :int64, :details, :pointer
    end

    attach_function :stigg_client_get_boolean, %i[uint64 string string pointer pointer], :pointer
    attach_function :stigg_client_get_metered, %i[uint64 string string pointer pointer], :pointer
    attach_function :stigg_error_code, [:pointer], :string
    attach_function :stigg_error_message, [:pointer], :string
    attach_function :stigg_error_free, [:pointer], :void

    def self.check!(err)
      return if err.null?

      e = Error.new(stigg_error_message(err), code: stigg_error_code(err))
      stigg_error_free(err)
      raise e
    end
  end

  # The result of a cached check (Client#check_boolean / #check_metered): scalars only.
  Check = Struct.new(:has_access, :is_fallback, :access_denied_reason, :usage_limit, :current_usage,
                     :requested_usage, keyword_init: true)
end

module Stigg
  VERSION = "0.1.0"

  # An error of a Stigg call: Stigg's error code (`CustomerNotFound`, `InvalidArgument`, ...) and the
  # server's trace id.
  class Error < StandardError
    attr_reader :code, :trace_id

    def initialize(message, code:, trace_id: nil)
      super(message)
      @code = code
      @trace_id = trace_id
    end
  end

  # snake_case symbol keys -> camelCase strings (recursively), for documents sent to the core.
  def self.camelize(value)
    case value
    when Hash then value.to_h { |k, v| [camel_key(k), camelize(v)] }
    when Array then value.map { |v| camelize(v) }
    else value
    end
  end

  def self.camel_key(key)
    key = key.to_s
    return key unless key.include?("_")

    head, *rest = key.split("_")
    head + rest.map(&:capitalize).join
  end

  # camelCase keys -> snake_case symbols (recursively), for documents returned by the core.
  def self.underscore(value)
    case value
    when Hash then value.to_h { |k, v| [k.to_s.gsub(/([a-z\d])([A-Z])/, '\1_\2').downcase.to_sym, underscore(v)] }
    when Array then value.map { |v| underscore(v) }
    else value
    end
  end

  # Runs a native call, turning its error into Stigg::Error.
  def self.translate
    yield
  rescue StiggUniffi::StiggFailure::Failure => e
    raise Error.new(e.detail, code: e.code, trace_id: e.trace_id)
  end

  # A listener object for the generated callback interface: calls a block with the event as a Hash.
  class BlockListener < StiggUniffi::EventListener
    def initialize(block)
      super()
      @block = block
    end

    def on_event(event_json)
      @block.call(Stigg.underscore(JSON.parse(event_json)))
    rescue StandardError => e
      warn "stigg: a listener raised #{e.class}: #{e.message}"
    end
  end

  # The Stigg client. Thread-safe. Reads never raise on Stigg's side (they fall back, `is_fallback`);
  # writes and management calls raise Stigg::Error.
  class Client
    # Write and management methods: Ruby name => the official method name the core dispatches on.
    CALLS = {
      report_usage: "reportUsage", report_usage_bulk: "reportUsageBulk", report_event: "reportEvent",
      consume_credits: "consumeCredits", consume_credits_async: "consumeCreditsAsync",
      estimate_usage_cost: "estimateUsageCost", estimate_event_cost: "estimateEventCost",
      provision_customer: "provisionCustomer", update_customer: "updateCustomer",
      provision_subscription: "provisionSubscription", update_subscription: "updateSubscription",
      cancel_subscription: "cancelSubscription",
      cancel_subscription_scheduled_updates: "cancelSubscriptionScheduledUpdates",
      migrate_subscription_to_latest: "migrateSubscriptionToLatest",
      estimate_subscription: "estimateSubscription", estimate_subscription_update: "estimateSubscriptionUpdate",
      preview_subscription: "previewSubscription", get_active_subscriptions: "getActiveSubscriptions",
      get_active_subscriptions_list: "getActiveSubscriptionsList", get_subscriptions: "getSubscriptions",
      get_paywall: "getPaywall", grant_promotional_entitlements: "grantPromotionalEntitlements",
      revoke_promotional_entitlements: "revokePromotionalEntitlements", grant_credits: "grantCredits",
      void_credit_grant: "voidCreditGrant", get_credit_grants: "getCreditGrants",
      get_credit_balance: "getCreditBalance", get_usage_history_v2: "getUsageHistoryV2"
    }.freeze

    # Options use Stigg's names in snake_case; fallbacks are hashes
    # (`entitlements_fallback: {"feature-x" => {has_access: true, usage_limit: 10}}`).
    # `fixed_now_ms` fixes the clock (tests). `redis:` turns on the Redis persistent cache with Stigg's
    # options (`{environment_prefix: "production", host: "...", port: 6379, ttl: 604800}`).
    def initialize(api_key: nil, base_uri: nil, base_edge_uri: nil, ws_url: nil, offline: false,
                   realtime_updates_enabled: nil, enable_edge: nil, read_env: nil, entitlements_fallback: nil,
                   credit_entitlements_fallback: nil, cache_max_size_bytes: nil, timeout_ms: nil,
                   entitlements_timeout_ms: nil, refresh_interval_ms: nil, fixed_now_ms: nil, redis: nil)
      config = {
        apiKey: api_key, baseUri: base_uri, baseEdgeUri: base_edge_uri, wsUrl: ws_url, offline: offline,
        realtimeUpdatesEnabled: realtime_updates_enabled, enableEdge: enable_edge, readEnv: read_env,
        entitlementsFallback: fallback_map(entitlements_fallback),
        creditEntitlementsFallback: fallback_map(credit_entitlements_fallback),
        cacheMaxSizeBytes: cache_max_size_bytes, timeoutMs: timeout_ms,
        entitlementsTimeoutMs: entitlements_timeout_ms, refreshIntervalMs: refresh_interval_ms,
        fixedNowMs: fixed_now_ms, redis: redis && Stigg.camelize(redis)
      }.compact
      @native = Stigg.translate { StiggUniffi::StiggClient.new(JSON.generate(config)) }
      @handle = @native.c_handle
      @listeners = {}
    end

    # `waitForInitialization`: raises Stigg::Error when the key is rejected.
    def wait_for_initialization
      Stigg.translate { @native.wait_for_initialization }
      self
    end

    # `close` (idempotent).
    def close
      Stigg.translate { @native.close }
    end

    # Stores a fixture state (a wire `EntitlementsState` Hash or JSON string) for a customer (tests).
    def set_entitlements_state(customer_id:, state:, resource_id: nil)
      json = state.is_a?(String) ? state : JSON.generate(state)
      Stigg.translate { @native.set_entitlements_state(customer_id, resource_id, json) }
    end

    # The hot path of `getBooleanEntitlement`: a Stigg::Check (no feature details).
    def check_boolean(customer_id:, feature_id:)
      r = (@boolean_result ||= FastPath::BooleanResult.new)
      FastPath.check!(FastPath.stigg_client_get_boolean(@handle, customer_id, feature_id, nil, r))
      Check.new(has_access: r[:has_access], is_fallback: r[:is_fallback],
                access_denied_reason: FastPath::REASONS[r[:reason]])
    end

    # The hot path of `getMeteredEntitlement`: a Stigg::Check (no feature details, no period).
    def check_metered(customer_id:, feature_id:, requested_usage: nil)
      r = (@metered_result ||= FastPath::MeteredResult.new)
      o = (@options ||= FastPath::Options.new)
      o[:has_requested_usage] = !requested_usage.nil?
      o[:requested_usage] = requested_usage.to_f
      FastPath.check!(FastPath.stigg_client_get_metered(@handle, customer_id, feature_id, o, r))
      Check.new(has_access: r[:has_access], is_fallback: r[:is_fallback],
                access_denied_reason: FastPath::REASONS[r[:reason]],
                usage_limit: r[:has_usage_limit] ? r[:usage_limit] : nil, current_usage: r[:current_usage],
                requested_usage: r[:requested_usage])
    end

    # `getBooleanEntitlement` -> StiggUniffi::BooleanResult (`has_access`, `is_fallback`, ...).
    def get_boolean_entitlement(customer_id:, feature_id:, resource_id: nil, fallback: nil)
      Stigg.translate { @native.get_boolean_entitlement(customer_id, feature_id, resource_id, fb(fallback)) }
    end

    # `getNumericEntitlement` -> StiggUniffi::NumericResult.
    def get_numeric_entitlement(customer_id:, feature_id:, resource_id: nil, fallback: nil)
      Stigg.translate { @native.get_numeric_entitlement(customer_id, feature_id, resource_id, fb(fallback)) }
    end

    # `getMeteredEntitlement` -> StiggUniffi::MeteredResult.
    def get_metered_entitlement(customer_id:, feature_id:, resource_id: nil, requested_usage: nil, fallback: nil)
      Stigg.translate do
        @native.get_metered_entitlement(customer_id, feature_id, resource_id, num(requested_usage), fb(fallback))
      end
    end

    # `getEnumEntitlement` -> StiggUniffi::EnumResult.
    def get_enum_entitlement(customer_id:, feature_id:, resource_id: nil, requested_values: nil, fallback: nil)
      Stigg.translate do
        @native.get_enum_entitlement(customer_id, feature_id, resource_id, requested_values, fb(fallback))
      end
    end

    # `getCreditEntitlement` -> StiggUniffi::CreditResult.
    def get_credit_entitlement(customer_id:, currency_id:, resource_id: nil, requested_usage: nil, fallback: nil)
      Stigg.translate do
        @native.get_credit_entitlement(customer_id, currency_id, resource_id, num(requested_usage), fb(fallback))
      end
    end

    # `getEntitlement` (deprecated): the result record of the type the options imply.
    def get_entitlement(customer_id:, feature_id:, resource_id: nil, requested_usage: nil, requested_values: nil,
                        fallback: nil)
      Stigg.translate do
        @native.get_entitlement(customer_id, feature_id, resource_id, num(requested_usage), requested_values,
                                fb(fallback)).result
      end
    end

    # `getEntitlementV2`: a feature (`feature_id:`) or a credit wallet (`currency_id:`).
    def get_entitlement_v2(customer_id:, feature_id: nil, currency_id: nil, resource_id: nil, requested_usage: nil,
                           requested_values: nil, fallback: nil)
      Stigg.translate do
        @native.get_entitlement_v2(customer_id, feature_id, currency_id, resource_id, num(requested_usage),
                                   requested_values, fb(fallback)).result
      end
    end

    # `getEntitlementsStateV2` -> `{entitlements: [records], access_denied_reason:}`.
    def get_entitlements_state_v2(customer_id:, resource_id: nil)
      s = Stigg.translate { @native.get_entitlements_state_v2(customer_id, resource_id) }
      { entitlements: s.entitlements.map(&:result), access_denied_reason: s.access_denied_reason }
    end

    # `reloadEntitlements` -> true when the customer exists.
    def reload_entitlements(customer_id:, resource_id: nil)
      call("reloadEntitlements", customer_id: customer_id, resource_id: resource_id)[:entitled_entity_exists]
    end

    # `getCustomer`, `archiveCustomer`, `unarchiveCustomer`, `getSubscription`: one id.
    def get_customer(customer_id) = call("getCustomer", customer_id)
    def archive_customer(customer_id) = call("archiveCustomer", customer_id)
    def unarchive_customer(customer_id) = call("unarchiveCustomer", customer_id)
    def get_subscription(subscription_id) = call("getSubscription", subscription_id)
    def get_coupons = call("getCoupons")
    def get_products = call("getProducts")

    CALLS.each do |name, operation|
      # A write or management call: keyword arguments (snake_case) or one positional Hash/Array.
      define_method(name) do |input = nil, **kwargs|
        call(operation, input.nil? ? kwargs : input)
      end
    end

    # Any operation of the core by its official name: input as Ruby data (snake_case keys become
    # camelCase), output as Ruby data with snake_case symbol keys.
    def call(operation, input = nil)
      json = input.nil? ? nil : JSON.generate(Stigg.camelize(input))
      out = Stigg.translate { @native.call(operation, json) }
      Stigg.underscore(JSON.parse(out))
    end

    # Registers a block called with every event as a Hash (`{type: "usageUpdated", customer_id: ...}`);
    # returns an id for #remove_listener. Blocks run on the client's threads.
    def add_listener(&block)
      raise ArgumentError, "add_listener needs a block" unless block

      listener = BlockListener.new(block)
      id = @native.add_listener(listener)
      @listeners[id] = listener
      id
    end

    # Unregisters a listener; true when it was registered.
    def remove_listener(id)
      @listeners.delete(id)
      @native.remove_listener(id)
    end

    private

    def fb(fallback)
      return nil if fallback.nil?
      return fallback if fallback.is_a?(StiggUniffi::Fallback)

      h = fallback.transform_keys(&:to_sym)
      StiggUniffi::Fallback.new(
        has_access: h.fetch(:has_access, false), value: num(h[:value]), is_unlimited: h[:is_unlimited],
        usage_limit: num(h[:usage_limit]), current_usage: num(h[:current_usage]), enum_values: h[:enum_values]
      )
    end

    def num(value)
      value.nil? ? nil : Float(value)
    end

    def fallback_map(map)
      map&.to_h { |id, f| [id.to_s, Stigg.camelize(f)] }
    end
  end
end

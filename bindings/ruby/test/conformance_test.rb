# frozen_string_literal: true

# Every shared conformance vector (tests/conformance/*.json) through the Ruby gem: an offline client with
# the vector's clock and fallbacks, its state as a fixture, then the typed reader; the returned records
# are turned back into the vectors' JSON shape and compared.
require "minitest/autorun"
require "json"
require "time"
require_relative "../lib/stigg"

module ConformanceShape
  FASTPATH_REASONS = Stigg::FastPath::REASONS.compact.freeze
  TYPES = {
    StiggUniffi::BooleanResult => "BOOLEAN", StiggUniffi::NumericResult => "NUMERIC",
    StiggUniffi::MeteredResult => "METERED", StiggUniffi::EnumResult => "ENUM", StiggUniffi::CreditResult => "CREDIT"
  }.freeze

  def self.iso(ms)
    ms.nil? ? nil : Time.at(Rational(ms, 1000)).utc.strftime("%Y-%m-%dT%H:%M:%S.%LZ")
  end

  def self.feature(f)
    return nil if f.nil?

    { "id" => f.id, "featureType" => f.feature_type, "meterType" => f.meter_type, "units" => f.units,
      "unitsPlural" => f.units_plural, "isMetered" => f.is_metered, "displayName" => f.display_name,
      "description" => f.description }
  end

  # A result record as the vectors' JSON object.
  def self.to_json_shape(r)
    type = TYPES.fetch(r.class)
    h = { "type" => type, "hasAccess" => r.has_access, "isFallback" => r.is_fallback,
          "accessDeniedReason" => r.access_denied_reason }
    case type
    when "BOOLEAN" then h["feature"] = feature(r.feature)
    when "NUMERIC" then h.merge!("feature" => feature(r.feature), "value" => r.value, "isUnlimited" => r.is_unlimited)
    when "METERED"
      h.merge!("feature" => feature(r.feature), "usageLimit" => r.usage_limit, "isUnlimited" => r.is_unlimited,
               "hasSoftLimit" => r.has_soft_limit, "currentUsage" => r.current_usage,
               "requestedUsage" => r.requested_usage, "resetPeriod" => r.reset_period,
               "usagePeriodAnchor" => iso(r.usage_period_anchor_ms), "usagePeriodStart" => iso(r.usage_period_start_ms),
               "usagePeriodEnd" => iso(r.usage_period_end_ms), "nextResetDate" => iso(r.usage_period_end_ms))
    when "ENUM"
      h.merge!("feature" => feature(r.feature), "enumValues" => r.enum_values, "requestedValues" => r.requested_values)
    when "CREDIT"
      c = r.currency
      h.merge!("currency" => { "currencyId" => c.currency_id, "displayName" => c.display_name,
                               "description" => c.description, "unitSingular" => c.unit_singular,
                               "unitPlural" => c.unit_plural,
                               "metadata" => c.metadata_json && JSON.parse(c.metadata_json) },
               "usageLimit" => r.usage_limit, "currentUsage" => r.current_usage, "remaining" => r.remaining,
               "usagePeriodEnd" => iso(r.usage_period_end_ms), "hasSoftLimit" => r.has_soft_limit,
               "requestedUsage" => r.requested_usage)
    end
    h
  end

  # Numbers compare by value (3 == 3.0); everything else exactly.
  def self.normalize(v)
    case v
    when Hash then v.to_h { |k, x| [k, normalize(x)] }
    when Array then v.map { |x| normalize(x) }
    when Integer then v.to_f
    else v
    end
  end

  def self.number(v)
    case v
    when "NaN" then Float::NAN
    when "Infinity" then Float::INFINITY
    when "-Infinity" then -Float::INFINITY
    else v
    end
  end

  def self.run(c)
    config = c["config"] || {}
    client = Stigg::Client.new(offline: true, read_env: false,
                               fixed_now_ms: (Time.iso8601(c["now"]).to_r * 1000).to_i,
                               entitlements_fallback: config["entitlementsFallback"],
                               credit_entitlements_fallback: config["creditEntitlementsFallback"])
    req = c["request"]
    customer = req["customerId"] || "customer-1"
    client.set_entitlements_state(customer_id: customer, state: c["state"]) unless c["state"].nil?
    opts = req["options"] || {}
    usage = number(opts["requestedUsage"])
    values = opts["requestedValues"]
    fallback = opts["fallback"]&.transform_keys { |k| k.gsub(/([A-Z])/) { "_#{Regexp.last_match(1).downcase}" }.to_sym }
    args = { customer_id: customer }
    if fallback.nil? && %w[getBooleanEntitlement getMeteredEntitlement].include?(req["method"])
      # The C ABI fast path must agree with the full result.
      fast = if req["method"] == "getBooleanEntitlement"
               client.check_boolean(**args, feature_id: req["featureId"])
             else
               client.check_metered(**args, feature_id: req["featureId"], requested_usage: usage)
             end
      exp = c["expected"]
      checked = { "hasAccess" => fast.has_access, "isFallback" => fast.is_fallback,
                  "accessDeniedReason" => fast.access_denied_reason }
      checked.merge!("currentUsage" => fast.current_usage, "usageLimit" => fast.usage_limit) if fast.current_usage
      checked.each do |k, v|
        next if k == "accessDeniedReason" && v.nil? && !exp[k].nil? && !FASTPATH_REASONS.include?(exp[k])
        raise "fast path #{k}: expected #{exp[k].inspect}, got #{v.inspect}" unless normalize(exp[k]) == normalize(v)
      end
    end
    result =
      case req["method"]
      when "getBooleanEntitlement" then client.get_boolean_entitlement(**args, feature_id: req["featureId"], fallback: fallback)
      when "getNumericEntitlement" then client.get_numeric_entitlement(**args, feature_id: req["featureId"], fallback: fallback)
      when "getMeteredEntitlement"
        client.get_metered_entitlement(**args, feature_id: req["featureId"], requested_usage: usage, fallback: fallback)
      when "getEnumEntitlement"
        client.get_enum_entitlement(**args, feature_id: req["featureId"], requested_values: values, fallback: fallback)
      when "getCreditEntitlement"
        client.get_credit_entitlement(**args, currency_id: req["currencyId"], requested_usage: usage, fallback: fallback)
      when "getEntitlement"
        client.get_entitlement(**args, feature_id: req["featureId"], requested_usage: usage, requested_values: values,
                                       fallback: fallback)
      when "getEntitlementV2"
        client.get_entitlement_v2(**args, feature_id: req["featureId"], currency_id: req["currencyId"],
                                          requested_usage: usage, requested_values: values, fallback: fallback)
      when "getEntitlementsStateV2"
        s = client.get_entitlements_state_v2(**args)
        return { "entitlements" => s[:entitlements].map { |e| to_json_shape(e) },
                 "accessDeniedReason" => s[:access_denied_reason] }
      else raise "unknown method #{req['method']}"
      end
    to_json_shape(result)
  ensure
    client&.close
  end
end

class ConformanceTest < Minitest::Test
  DIR = File.expand_path("../../../tests/conformance", __dir__)

  Dir[File.join(DIR, "*.json")].sort.each do |file|
    next if file.end_with?(".schema.json")

    JSON.parse(File.read(file))["cases"].each do |c|
      define_method("test_#{c['id'].gsub(/[^a-zA-Z0-9]+/, '_')}") do
        actual = ConformanceShape.run(c)
        assert_equal ConformanceShape.normalize(c["expected"]), ConformanceShape.normalize(actual), c["id"]
      end
    end
  end
end

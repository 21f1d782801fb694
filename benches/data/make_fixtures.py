#!/usr/bin/env python3
"""Generate the benchmark message fixtures: benches/data/{zh,ko,en}.txt.

Each file holds N buyer messages (one per line) for the throughput example, the criterion
benches and the flashtext peer. Messages are assembled from hand-written buyer phrases (about
fourteen after-sales situations plus small talk), with products, numbers, days, prices, fillers,
emoji and the typing habits of each chat (traditional characters and full-width punctuation in
Chinese, loose spacing and ㅠㅠ/ㅎㅎ in Korean, lowercase and shouting in English). The phrases
were written for this script; none is copied from tests/corpus.

The output is deterministic (fixed seed): rerunning the script rewrites the same files.

    python3 benches/data/make_fixtures.py            # 6000 messages per language
    python3 benches/data/make_fixtures.py --count 20000 --out /tmp/fixtures
"""

import argparse
import os
import random

ZH = {
    # Chinese says more per byte; these bring the average message near 60 bytes (~20 characters).
    "two": 0.8,
    "with_context": 0.75,
    "openers": ["", "", "", "亲,", "亲，", "在吗,", "老板,", "你好,", "您好，", "客服，", "亲亲~", "哈喽，",
                "请问一下,", "掌柜的，", "小姐姐,", "那个", "诶,", "嗯,"],
    "closers": ["", "", "", "?", "？", "!", "！", "。", "~", "😊", "🙏", "😭", "😡", "👍", "哈哈", "呀",
                "急急急", "谢谢", "谢谢啦", "。。。", "??", "！！", "😂", "[捂脸]", "啊啊啊"],
    "products": ["猕猴桃", "保温杯", "牛肉干", "羽绒服", "蓝牙耳机", "榴莲", "大米", "面膜", "运动鞋",
                 "连衣裙", "车厘子", "茶叶", "电饭煲", "台灯", "儿童书包", "坚果礼盒", "洗衣液", "手机壳",
                 "枕头", "橙子", "蜂蜜", "卫衣", "拖鞋", "咖啡豆", "水杯", "充电宝", "芒果", "腊肠"],
    "phrases": [
        # product_inquiry
        "这个{p}保质期多久", "{p}有现货吗", "{p}是什么材质的", "{n}斤的{p}一箱多少个", "身高{h}穿多大码",
        "{p}有没有黑色的", "这款{p}和那款有什么区别", "{p}甜不甜", "{p}是正品吗", "{p}能放多久",
        # bargaining
        "{p}能便宜点吗", "买两件包邮吗", "少{m}块行不行", "{k}块卖不卖", "老顾客了给个优惠呗", "有优惠券吗",
        "别家才卖{k},你们能便宜点吗", "最低多少钱能拿", "送个小礼物呗",
        # delivery_anxiety
        "{d}天了还没到", "快递怎么还没到", "物流{d}天没更新了", "什么时候发货啊", "我的{p}到哪了",
        "下单{d}天了还没发货", "物流一直不动", "周五之前能到吗", "怎么还在路上",
        # shipping_options
        "能发顺丰吗", "默认什么快递", "可以发邮政吗", "西藏那边能发货吗", "能加急吗", "偏远地区包邮吗",
        # address_change
        "地址填错了能改一下吗", "电话写错了", "我想改一下收货地址", "收件人写错了怎么办", "门牌号少写了一位",
        # damage
        "{p}压坏了", "收到的{p}碎了{c}个", "箱子都破了", "{p}漏了一地", "外包装全烂了", "{p}摔坏了",
        "收到就是坏的", "{c}个都烂了",
        # quality_issue
        "{p}质量太差了", "{p}用了两天就坏了", "和图片不一样", "{p}有异味", "掉色掉得厉害", "尺码偏小穿不上",
        "{p}一点都不甜", "做工太粗糙了", "跟描述不符",
        # usage_question
        "{p}怎么用", "这个怎么安装", "{p}怎么保存", "说明书在哪", "怎么清洗啊", "第一次用要注意什么",
        # repeat_dissatisfaction
        "这次的{p}比上次少了好多", "不如上次买的好吃", "回购了{c}次这次最差", "这次的个头小了很多",
        "之前买的比这个甜",
        # return_refund
        "我要退货", "能退款吗", "七天无理由能退吗", "怎么申请退款", "换个尺码可以吗", "退货运费谁出",
        "给我退了吧", "{p}不想要了能退吗",
        # cancel_order
        "我不要了取消订单", "拍错了帮我取消", "订单能取消吗", "刚下的单不要了", "取消吧不买了",
        # complaint
        "你们服务太差了", "我要投诉", "客服半天不回消息", "给差评了", "再不处理我就投诉", "什么态度啊",
        "黑店", "太过分了",
        # praise
        "{p}很好吃", "收到了很满意", "质量不错会回购", "包装很用心", "好评", "物流很快点赞", "{p}超好用",
        # greeting / small talk / none
        "有人在吗", "好的呢", "知道了", "嗯嗯好", "那我再看看", "我考虑一下", "我晚点再来问", "发个链接给我",
        "今天天气真好", "我先去吃饭了", "刚看到消息", "好吧", "行", "明白了",
    ],
    "context": ["昨天买的", "上周下的单", "订单号{o}", "帮我看一下", "麻烦快点处理", "我等着用呢", "送人的",
                "给我妈买的", "第一次在你家买", "朋友推荐来的", "买了{c}箱", "一共{k}块钱", "麻烦回复一下",
                "我在外地出差", "看了好久才下单"],
    "joiners": ["，", ",", " ", "", "。", "!", "～"],
    "traditional": {"这": "這", "个": "個", "么": "麼", "还": "還", "没": "沒", "么": "麼", "说": "說", "发": "發",
                    "货": "貨", "东": "東", "西": "西", "坏": "壞", "买": "買", "卖": "賣", "们": "們"},
}

KO = {
    "openers": ["", "", "", "안녕하세요 ", "저기요 ", "사장님 ", "문의드려요 ", "혹시 ", "음 ", "아 ",
                "여기요~ ", "안녕하세요~ "],
    "closers": ["", "", "", "?", "!", "ㅠㅠ", "ㅠ", "ㅎㅎ", "ㅋㅋ", "~", "!!", "...", "😭", "🙏", "😊",
                "요", "ㅜㅜ", "👍", "??"],
    "products": ["텀블러", "패딩", "사과", "귤", "블루투스 이어폰", "운동화", "원피스", "마스크팩", "쌀",
                 "전기밥솥", "스탠드", "책가방", "견과류 세트", "세제", "폰케이스", "베개", "꿀", "후드티",
                 "슬리퍼", "원두", "보조배터리", "망고", "한우", "김치"],
    "phrases": [
        # product_inquiry
        "{p} 재고 있나요", "{p} 유통기한이 언제까지예요", "{p} 재질이 뭐예요", "{p} 사이즈 어떻게 돼요",
        "키 {h}인데 어떤 사이즈 사야 돼요", "{p} 검정색도 있어요", "{p} 한 박스에 몇 개 들어있어요",
        # bargaining
        "{p} 좀 깎아주세요", "두 개 사면 할인되나요", "{k}천원에 안 될까요", "무료배송 안 되나요",
        "쿠폰 있나요", "단골인데 서비스 좀 주세요",
        # delivery_anxiety
        "배송 언제 와요", "{d}일째 배송조회가 안 돼요", "아직도 안 왔어요", "주문한 지 {d}일 됐는데 소식이 없어요",
        "언제 발송되나요", "금요일까지 받을 수 있을까요", "택배가 며칠째 그대로예요",
        # shipping_options
        "제주도도 배송되나요", "빠른배송 가능한가요", "편의점 택배로 보내주실 수 있나요", "퀵으로 받을 수 있어요",
        # address_change
        "주소 변경 가능한가요", "배송지를 잘못 입력했어요", "연락처 수정해주세요", "회사로 바꿔주세요",
        # damage
        "{p} 파손돼서 왔어요", "박스가 찌그러져서 왔어요", "{p} 깨져서 왔어요", "{c}개가 다 터져서 왔어요",
        "포장이 다 뜯어져 있어요", "{p} 상해서 왔어요",
        # quality_issue
        "{p} 품질이 너무 별로예요", "하루 만에 고장났어요", "사진이랑 너무 달라요", "{p}에서 냄새가 나요",
        "색이 빠져요", "바느질이 엉망이에요", "{p} 하나도 안 달아요",
        # usage_question
        "{p} 사용법 알려주세요", "이거 어떻게 조립해요", "{p} 보관은 어떻게 해요", "세탁기 돌려도 되나요",
        "충전은 어떻게 하나요",
        # repeat_dissatisfaction
        "지난번보다 양이 적네요", "이번 {p} 전보다 맛이 없어요", "예전에 산 거랑 너무 달라요",
        "재구매했는데 이번엔 실망이에요",
        # return_refund
        "환불해 주세요", "반품하고 싶어요", "교환 가능한가요", "환불 언제 돼요", "반품 배송비는 누가 내요",
        # cancel_order
        "주문 취소할게요", "잘못 주문했어요 취소해주세요", "결제 취소 가능한가요", "취소하고 다시 주문할게요",
        # complaint
        "답장이 너무 늦네요", "고객센터 연락이 안 돼요", "서비스가 최악이에요", "다시는 안 살게요",
        "신고할 거예요", "너무 짜증나요",
        # praise
        "{p} 정말 맛있어요 감사합니다", "잘 받았어요 만족해요", "포장이 꼼꼼해요", "배송 빨라서 좋아요",
        "또 주문할게요", "{p} 완전 좋아요",
        # greeting / small talk / none
        "네 알겠어요 감사해요", "좀 더 생각해볼게요", "링크 보내주세요", "네네 확인했습니다", "오늘 날씨 좋네요",
        "확인했어요", "잠깐만 기다려주세요", "아하 그렇구나",
    ],
    "context": ["어제 주문했는데", "지난주에 산 건데", "주문번호 {o}", "확인 부탁드려요", "빨리 처리해주세요",
                "선물용이에요", "엄마 드리려고 샀어요", "처음 주문해봐요", "{c}박스 샀어요", "총 {k}천원이요"],
    "joiners": [" ", " ", ", ", ". ", "! ", ""],
}

EN = {
    "openers": ["", "", "", "hi ", "hello, ", "hey ", "Hi there, ", "excuse me, ", "um ", "ok so ", "quick question: ",
                "HELLO ", "good morning, "],
    "closers": ["", "", "", "?", "!", ".", "??", "!!", " thanks", " thank you", " pls", " asap", " :)", " 😊",
                " 🙏", " 😡", " lol", "...", " 👍"],
    "products": ["thermos", "down jacket", "kiwis", "beef jerky", "bluetooth earbuds", "running shoes",
                 "summer dress", "face masks", "rice cooker", "desk lamp", "backpack", "gift box of nuts",
                 "phone case", "pillow", "honey", "hoodie", "slippers", "coffee beans", "power bank", "mangoes",
                 "tea set", "yoga mat"],
    "phrases": [
        # product_inquiry
        "is the {p} in stock", "what size should I get for {h}cm", "what is the {p} made of",
        "how long does the {p} keep", "does the {p} come in black", "how many are in one box",
        "what's the difference between these two", "is this {p} authentic",
        # bargaining
        "can you do ${k} for the {p}", "any discount if I buy two", "is there a coupon", "can you lower the price",
        "free shipping?", "{m}% off and I'll take it", "the other shop sells it for ${k}",
        # delivery_anxiety
        "where is my package", "it's been {d} days and still nothing", "when will my order ship",
        "tracking hasn't updated in {d} days", "i need it by friday", "my {p} still hasn't arrived",
        "ordered {d} days ago, where is it",
        # shipping_options
        "do you ship to canada", "can I get express shipping", "which courier do you use",
        "can you deliver to a po box",
        # address_change
        "I need to change my shipping address", "wrong address on my order", "can you update my phone number",
        "please send it to my office instead",
        # damage
        "the {p} arrived broken", "box was crushed", "{c} of them were cracked", "it came damaged",
        "the jar leaked everywhere", "the {p} was smashed in the box",
        # quality_issue
        "the {p} is poor quality", "stopped working after {d} days", "doesn't look like the picture",
        "the {p} smells weird", "the color faded after one wash", "stitching is coming apart",
        # usage_question
        "how do I use the {p}", "how do i charge it", "how should I store the {p}", "is it dishwasher safe",
        "where is the manual",
        # repeat_dissatisfaction
        "this batch is smaller than last time", "not as good as my last order", "I reorder every month but this one is worse",
        # return_refund
        "I want a refund", "how do I return the {p}", "can I exchange it for a bigger size", "refund please",
        "who pays for return shipping",
        # cancel_order
        "please cancel my order", "i ordered by mistake, cancel it", "can I still cancel", "cancel the {p} order",
        # complaint
        "your service is terrible", "nobody answers my messages", "I will report this", "worst seller ever",
        "this is unacceptable", "I'm going to leave a bad review",
        # praise
        "the {p} is amazing", "got it, love it", "great quality, will buy again", "fast shipping, thanks",
        "five stars", "my kids love the {p}",
        # greeting / small talk / none
        "ok cool", "sure thing", "let me think about it", "I'll check later", "send me the link",
        "sounds good", "nice weather today", "got it, thx", "be right back",
    ],
    "context": ["ordered yesterday", "bought it last week", "order #{o}", "please check", "please hurry",
                "it's a gift", "got it for my mom", "first time buying here", "I bought {c} boxes",
                "paid ${k} for it"],
    "joiners": [" ", ". ", ", ", "! ", " and ", " - "],
}


def fill(rng, phrase, lang):
    table = lang["products"]
    return (phrase
            .replace("{p}", rng.choice(table))
            .replace("{n}", str(rng.choice([3, 5, 10, 20])))
            .replace("{h}", str(rng.randint(150, 190)))
            .replace("{m}", str(rng.choice([5, 10, 15, 20, 30, 50])))
            .replace("{k}", str(rng.choice([39, 49, 59, 80, 99, 128, 199])))
            .replace("{d}", str(rng.randint(2, 15)))
            .replace("{c}", str(rng.randint(1, 6)))
            .replace("{o}", str(rng.randint(10**11, 10**12 - 1))))


def message(rng, name, lang):
    parts = [fill(rng, rng.choice(lang["phrases"]), lang)]
    # About half of the messages say two things ("碎了两个，我要退款"), many add some context.
    if rng.random() < lang.get("two", 0.5):
        parts.append(fill(rng, rng.choice(lang["phrases"]), lang))
    if rng.random() < lang.get("with_context", 0.4):
        parts.insert(rng.randint(0, len(parts)), fill(rng, rng.choice(lang["context"]), lang))
    text = rng.choice(lang["joiners"]).join(parts)
    text = rng.choice(lang["openers"]) + text + rng.choice(lang["closers"])
    if name == "zh":
        if rng.random() < 0.08:  # typed with a traditional-Chinese input method
            text = "".join(lang["traditional"].get(c, c) for c in text)
        if rng.random() < 0.1:  # full-width punctuation
            text = text.replace("?", "？").replace("!", "！").replace(",", "，")
    elif name == "ko":
        if rng.random() < 0.15:  # no spaces at all
            text = text.replace(" ", "")
    elif name == "en":
        r = rng.random()
        if r < 0.05:
            text = text.upper()
        elif r < 0.35:
            text = text.lower()
        elif r < 0.6:
            text = text[:1].upper() + text[1:]
    return text.strip() or "?"


def corpus_lines(name):
    """The labeled test corpus of a language, so no fixture line is a copy of one of its lines."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "corpus", f"{name}.tsv")
    try:
        with open(path, encoding="utf-8") as f:
            return {line.rstrip("\n").split("\t", 1)[-1] for line in f}
    except OSError:
        return set()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=6000, help="messages per language (default 6000)")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)), help="output folder")
    ap.add_argument("--seed", type=int, default=20240604)
    args = ap.parse_args()
    for name, lang in (("zh", ZH), ("ko", KO), ("en", EN)):
        rng = random.Random(f"{args.seed}-{name}")
        taken = corpus_lines(name)
        lines = []
        while len(lines) < args.count:
            m = message(rng, name, lang)
            if m not in taken:
                lines.append(m)
        path = os.path.join(args.out, f"{name}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        avg = sum(len(line.encode()) for line in lines) / len(lines)
        print(f"{path}: {len(lines)} messages, {avg:.1f} bytes on average, {len(set(lines))} distinct")


if __name__ == "__main__":
    main()
